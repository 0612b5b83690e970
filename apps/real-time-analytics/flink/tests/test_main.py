"""Tests of the job's plain-Python parts (settings, anomaly baseline, SQL text, connector check).

Run with ``python3 -m unittest discover -s tests`` from the flink/ folder (the app's jest tests
run them too). PyFlink is not needed: only ``main.main()`` imports it.
"""

import json
import math
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import main  # noqa: E402

IN = "arn:aws:kinesis:eu-west-1:123456789012:stream/telemetry"
OUT = "arn:aws:kinesis:eu-west-1:123456789012:stream/results"


def groups(**job):
    props = {"input.stream.arn": IN, "output.stream.arn": OUT, "aws.region": "eu-west-1"}
    props.update({k.replace("_", "."): v for k, v in job.items()})
    return {main.JOB_GROUP: props}


class Settings(unittest.TestCase):
    def test_defaults_fill_what_the_stack_does_not_set(self):
        s = main.job_settings(groups())
        self.assertEqual((s["window_seconds"], s["history"], s["min_history"], s["threshold"]), (60, 60, 20, 3.0))
        self.assertEqual((s["init_position"], s["watermark_delay_seconds"], s["idle_timeout_seconds"]), ("TRIM_HORIZON", 5, 30))

    def test_missing_group_or_stream(self):
        with self.assertRaisesRegex(main.SettingsError, "property group RealTimeAnalytics is missing"):
            main.job_settings({})
        g = groups()
        del g[main.JOB_GROUP]["output.stream.arn"]
        with self.assertRaisesRegex(main.SettingsError, "lacks output.stream.arn"):
            main.job_settings(g)

    def test_limits_on_both_sides(self):
        self.assertEqual(main.job_settings(groups(window_seconds="1"))["window_seconds"], 1)
        self.assertEqual(main.job_settings(groups(window_seconds="86400"))["window_seconds"], 86400)
        for bad in ("0", "86401", "1.5", "x"):
            with self.assertRaises(main.SettingsError):
                main.job_settings(groups(window_seconds=bad))
        self.assertEqual(main.job_settings(groups(history_readings="2", min_history_readings="2"))["min_history"], 2)
        with self.assertRaisesRegex(main.SettingsError, "min.history.readings must be between 2 and 10"):
            main.job_settings(groups(history_readings="10", min_history_readings="11"))
        for bad in ("0", "-1", "nan", "inf", "three"):
            with self.assertRaises(main.SettingsError):
                main.job_settings(groups(zscore_threshold=bad))

    def test_values_that_would_break_the_sql_are_refused(self):
        with self.assertRaisesRegex(main.SettingsError, "must be a Kinesis stream ARN"):
            main.job_settings(groups(input_stream_arn="arn:aws:kinesis:eu-west-1:1:stream/x' OR '1"))
        with self.assertRaisesRegex(main.SettingsError, "must be a Kinesis stream ARN"):
            main.job_settings(groups(output_stream_arn="telemetry"))
        with self.assertRaisesRegex(main.SettingsError, "source.init.position must be one of LATEST, TRIM_HORIZON"):
            main.job_settings(groups(source_init_position="AT_TIMESTAMP"))

    def test_properties_file_in_the_service_format(self):
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
            json.dump([{"PropertyGroupId": "RealTimeAnalytics", "PropertyMap": {"window.seconds": "30"}}], f)
        try:
            self.assertEqual(main.load_properties(f.name), {"RealTimeAnalytics": {"window.seconds": "30"}})
        finally:
            os.unlink(f.name)


class Baseline(unittest.TestCase):
    @staticmethod
    def window(values):
        """COUNT, SUM and SUM of squares of an OVER window ending at the last value."""
        return len(values), sum(values), sum(v * v for v in values)

    def test_the_current_reading_is_not_part_of_its_own_baseline(self):
        history = [20.0, 21.0, 22.0, 21.0, 20.0, 21.0, 22.0, 21.0, 20.0, 22.0]
        spike = 35.0
        mean, stddev, z = main.baseline(spike, *self.window(history + [spike]), 5)
        expected_mean = sum(history) / len(history)
        expected_stddev = math.sqrt(sum((v - expected_mean) ** 2 for v in history) / len(history))
        self.assertAlmostEqual(mean, expected_mean)
        self.assertAlmostEqual(stddev, expected_stddev)
        self.assertAlmostEqual(z, (spike - expected_mean) / expected_stddev)
        self.assertGreater(z, 3.0)

    def test_an_ordinary_reading_scores_low(self):
        history = [20.0, 21.0, 22.0, 21.0, 20.0, 21.0, 22.0, 21.0, 20.0, 22.0]
        _, _, z = main.baseline(21.5, *self.window(history + [21.5]), 5)
        self.assertLess(abs(z), 1.0)

    def test_too_little_history_or_no_spread_gives_no_score(self):
        self.assertIsNone(main.baseline(30.0, *self.window([20.0, 21.0, 30.0]), 3))
        self.assertIsNotNone(main.baseline(30.0, *self.window([20.0, 21.0, 22.0, 30.0]), 3))
        self.assertIsNone(main.baseline(30.0, *self.window([20.0] * 10 + [30.0]), 5))
        self.assertIsNone(main.baseline(None, 5, 100.0, 2000.0, 2))


class Statements(unittest.TestCase):
    def test_the_sql_uses_the_settings(self):
        sql = main.statements(main.job_settings(groups(window_seconds="30", history_readings="100", min_history_readings="40", zscore_threshold="2.5")))
        self.assertEqual(len(sql), 6)
        self.assertIn(f"'stream.arn' = '{IN}'", sql[0])
        self.assertIn("'source.init.position' = 'TRIM_HORIZON'", sql[0])
        self.assertIn(f"'stream.arn' = '{OUT}'", sql[1])
        self.assertIn("PARTITIONED BY (deviceId)", sql[1])
        self.assertIn("ROWS BETWEEN 100 PRECEDING AND CURRENT ROW", sql[3])
        self.assertIn("INTERVAL '30' SECOND", sql[4])
        self.assertIn("baseline(temperature, n, s, s2, 40)", sql[5])
        self.assertIn("ABS(r.b.zscore) >= 2.5", sql[5])

    def test_table_config(self):
        self.assertEqual(main.table_config(main.job_settings(groups(idle_timeout_seconds="45"))),
                         {"table.local-time-zone": "UTC", "table.exec.source.idle-timeout": "45 s"})


class ConnectorJar(unittest.TestCase):
    def test_the_jar_named_by_the_job_group_must_be_in_the_zip(self):
        with tempfile.TemporaryDirectory() as d:
            g = groups(connector_jar="lib/connector.jar")
            self.assertRegex(main.connector_jar_problem(g, d), "lib/connector.jar is not in the application's zip file")
            os.makedirs(os.path.join(d, "lib"))
            open(os.path.join(d, "lib", "connector.jar"), "wb").close()
            self.assertIsNone(main.connector_jar_problem(g, d))
            self.assertIsNone(main.connector_jar_problem(groups(), d))


if __name__ == "__main__":
    unittest.main()
