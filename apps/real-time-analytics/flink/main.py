"""Real-time analytics Flink job (PyFlink Table API on Managed Service for Apache Flink 1.20).

Reads device telemetry (JSON: deviceId, ts in epoch milliseconds, temperature) from a Kinesis
data stream and writes two kinds of result records to another Kinesis data stream:

* ``window``: per device and tumbling event-time window, the number of readings and the
  average, minimum and maximum temperature (the notes' KDA SQL tumbling window, in Flink SQL);
* ``anomaly``: a reading whose z-score against the device's preceding readings (a sliding
  window of rows, Flink SQL OVER aggregation) is at least the threshold. This is the
  lab's stand-in for the discontinued KDA SQL ``RANDOM_CUT_FOREST`` function: a simple,
  explainable statistical detector, not a random cut forest.

Every result carries a deterministic ``recordId`` (kind, device and time) so that a consumer can
drop the duplicates the Kinesis sink writes after a restart (at-least-once delivery).

Settings come from the application's runtime properties (property group ``RealTimeAnalytics``,
set by the RealTimeAnalytics CDK stack); the Kinesis SQL connector JAR must be inside the
application's zip file at the path of the ``jarfile`` run option (see the app's LAB.md).

Only ``main()`` imports PyFlink: the rest is plain Python, tested without Flink
(``python3 -m unittest discover -s tests``).
"""

import json
import math
import os
import sys

PROPERTIES_FILE = "/etc/flink/application_properties.json"
"""Where Managed Service for Apache Flink writes the application's runtime properties."""

JOB_GROUP = "RealTimeAnalytics"

REQUIRED = ("input.stream.arn", "output.stream.arn", "aws.region")
DEFAULTS = {
    "source.init.position": "TRIM_HORIZON",
    "window.seconds": "60",
    "history.readings": "60",
    "min.history.readings": "20",
    "zscore.threshold": "3.0",
    "watermark.delay.seconds": "5",
    "idle.timeout.seconds": "30",
}
INIT_POSITIONS = ("LATEST", "TRIM_HORIZON")
ISO_UTC = "yyyy-MM-dd''T''HH:mm:ss.SSS''Z''"
"""DATE_FORMAT pattern of every time the job writes (ISO-8601, UTC: the session time zone)."""


class SettingsError(ValueError):
    """A runtime property is missing or out of range."""


def load_properties(path=PROPERTIES_FILE):
    """The runtime property groups, as {group id: {key: value}}."""
    with open(path, "r", encoding="utf-8") as f:
        groups = json.load(f)
    return {g["PropertyGroupId"]: dict(g.get("PropertyMap", {})) for g in groups}


def _integer(props, key, low, high):
    raw = props[key]
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{JOB_GROUP}.{key} must be a whole number, got {raw!r}") from None
    if not low <= value <= high:
        raise SettingsError(f"{JOB_GROUP}.{key} must be between {low} and {high}, got {value}")
    return value


def job_settings(groups):
    """The job's settings from the runtime properties, checked; defaults fill the gaps."""
    given = groups.get(JOB_GROUP)
    if given is None:
        raise SettingsError(f"property group {JOB_GROUP} is missing")
    missing = [k for k in REQUIRED if not given.get(k)]
    if missing:
        raise SettingsError(f"{JOB_GROUP} lacks {', '.join(missing)}")
    props = {**DEFAULTS, **given}
    for key in ("input.stream.arn", "output.stream.arn"):
        if not props[key].startswith("arn:") or ":kinesis:" not in props[key] or "'" in props[key]:
            raise SettingsError(f"{JOB_GROUP}.{key} must be a Kinesis stream ARN, got {props[key]!r}")
    if "'" in props["aws.region"]:
        raise SettingsError(f"{JOB_GROUP}.aws.region is not a region: {props['aws.region']!r}")
    if props["source.init.position"] not in INIT_POSITIONS:
        raise SettingsError(f"{JOB_GROUP}.source.init.position must be one of {', '.join(INIT_POSITIONS)}")
    history = _integer(props, "history.readings", 2, 10_000)
    settings = {
        "input_stream_arn": props["input.stream.arn"],
        "output_stream_arn": props["output.stream.arn"],
        "region": props["aws.region"],
        "init_position": props["source.init.position"],
        "window_seconds": _integer(props, "window.seconds", 1, 86_400),
        "history": history,
        "min_history": _integer(props, "min.history.readings", 2, history),
        "watermark_delay_seconds": _integer(props, "watermark.delay.seconds", 0, 3_600),
        "idle_timeout_seconds": _integer(props, "idle.timeout.seconds", 1, 3_600),
    }
    try:
        settings["threshold"] = float(props["zscore.threshold"])
    except ValueError:
        raise SettingsError(f"{JOB_GROUP}.zscore.threshold must be a number, got {props['zscore.threshold']!r}") from None
    if not math.isfinite(settings["threshold"]) or settings["threshold"] <= 0:
        raise SettingsError(f"{JOB_GROUP}.zscore.threshold must be a positive number, got {props['zscore.threshold']}")
    return settings


def baseline(value, count, total, total_squares, min_history):
    """Mean, standard deviation and z-score of ``value`` against the readings before it.

    ``count``, ``total`` and ``total_squares`` are the OVER window's COUNT, SUM and SUM of
    squares, which include ``value`` itself (Flink's OVER windows end at the current row);
    it is taken out so that a spike does not hide in its own baseline. Returns None when the
    device has fewer than ``min_history`` preceding readings, or they are all equal (no spread
    to compare with).
    """
    if value is None or count is None or total is None or total_squares is None:
        return None
    history = count - 1
    if history < min_history:
        return None
    mean = (total - value) / history
    variance = max((total_squares - value * value) / history - mean * mean, 0.0)
    stddev = math.sqrt(variance)
    if stddev < 1e-9:
        return None
    return (mean, stddev, (value - mean) / stddev)


def _iso(column):
    """A time column as ISO-8601 UTC text (the cast makes TIMESTAMP and TIMESTAMP_LTZ columns alike)."""
    return f"DATE_FORMAT(CAST({column} AS TIMESTAMP(3)), '{ISO_UTC}')"


def _kinesis_options(arn, region):
    return f"'connector' = 'kinesis', 'stream.arn' = '{arn}', 'aws.region' = '{region}', " \
           "'format' = 'json', 'json.timestamp-format.standard' = 'ISO-8601'"


def statements(s):
    """The job's SQL, in order: source table, sink table, views, then the two INSERTs."""
    source = f"""CREATE TABLE telemetry (
  deviceId STRING,
  ts BIGINT,
  temperature DOUBLE,
  event_time AS TO_TIMESTAMP_LTZ(ts, 3),
  WATERMARK FOR event_time AS event_time - INTERVAL '{s['watermark_delay_seconds']}' SECOND
) WITH ({_kinesis_options(s['input_stream_arn'], s['region'])},
  'source.init.position' = '{s['init_position']}',
  'json.ignore-parse-errors' = 'true')"""
    sink = f"""CREATE TABLE device_results (
  recordId STRING,
  kind STRING,
  deviceId STRING,
  event_time STRING,
  window_start STRING,
  window_end STRING,
  readings BIGINT,
  temperature_avg DOUBLE,
  temperature_min DOUBLE,
  temperature_max DOUBLE,
  temperature DOUBLE,
  baseline_mean DOUBLE,
  baseline_stddev DOUBLE,
  zscore DOUBLE
) PARTITIONED BY (deviceId) WITH ({_kinesis_options(s['output_stream_arn'], s['region'])})"""
    readings = """CREATE TEMPORARY VIEW readings AS
SELECT deviceId, event_time, temperature FROM telemetry
WHERE deviceId IS NOT NULL AND ts IS NOT NULL AND temperature IS NOT NULL"""
    scored = f"""CREATE TEMPORARY VIEW scored AS
SELECT deviceId, event_time, temperature,
  COUNT(temperature) OVER w AS n,
  SUM(temperature) OVER w AS s,
  SUM(temperature * temperature) OVER w AS s2
FROM readings
WINDOW w AS (PARTITION BY deviceId ORDER BY event_time ROWS BETWEEN {s['history']} PRECEDING AND CURRENT ROW)"""
    windows = f"""INSERT INTO device_results
SELECT
  CONCAT('window/', deviceId, '/', {_iso('window_end')}),
  'window', deviceId,
  {_iso('window_end')},
  {_iso('window_start')},
  {_iso('window_end')},
  COUNT(*), AVG(temperature), MIN(temperature), MAX(temperature),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE)
FROM TABLE(TUMBLE(TABLE readings, DESCRIPTOR(event_time), INTERVAL '{s['window_seconds']}' SECOND))
GROUP BY deviceId, window_start, window_end"""
    anomalies = f"""INSERT INTO device_results
SELECT
  CONCAT('anomaly/', r.deviceId, '/', {_iso('r.event_time')}),
  'anomaly', r.deviceId,
  {_iso('r.event_time')},
  CAST(NULL AS STRING), CAST(NULL AS STRING), CAST(NULL AS BIGINT),
  CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE), CAST(NULL AS DOUBLE),
  r.temperature, r.b.baseline_mean, r.b.baseline_stddev, r.b.zscore
FROM (
  SELECT deviceId, event_time, temperature, baseline(temperature, n, s, s2, {s['min_history']}) AS b
  FROM scored
) AS r
WHERE ABS(r.b.zscore) >= {s['threshold']}"""
    return [source, sink, readings, scored, windows, anomalies]


def table_config(s):
    """Table configuration: UTC session time, idle Kinesis shards do not hold the watermark back."""
    return {
        "table.local-time-zone": "UTC",
        "table.exec.source.idle-timeout": f"{s['idle_timeout_seconds']} s",
    }


def connector_jar_problem(groups, base_dir):
    """Why the Kinesis connector JAR is not in the zip, or None.

    The stack names the JAR twice: in the run options (``jarfile``, which Flink loads) and in the
    job's group (``connector.jar``, checked here, since the service need not show its own group
    to the job). Without that key nothing is checked.
    """
    jar = groups.get(JOB_GROUP, {}).get("connector.jar")
    if not jar:
        return None
    if not os.path.isfile(os.path.join(base_dir, jar)):
        return (f"{jar} is not in the application's zip file: download the Flink Kinesis SQL connector "
                "into apps/real-time-analytics/flink/lib/ and deploy again (see the app's LAB.md)")
    return None


def main():
    """Runs the job (on Managed Service for Apache Flink, or locally with IS_LOCAL=1 and a properties file)."""
    from pyflink.common import Row
    from pyflink.table import DataTypes, EnvironmentSettings, TableEnvironment
    from pyflink.table.udf import udf

    base_dir = os.path.dirname(os.path.abspath(__file__))
    local = bool(os.environ.get("IS_LOCAL"))
    groups = load_properties(os.path.join(base_dir, "application_properties.json") if local else PROPERTIES_FILE)
    problem = connector_jar_problem(groups, base_dir)
    if problem:
        sys.exit(f"RealTimeAnalytics job cannot start: {problem}")
    settings = job_settings(groups)

    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    config = env.get_config()
    for key, value in table_config(settings).items():
        config.set(key, value)
    if local:
        jar = groups[JOB_GROUP]["connector.jar"]
        config.set("pipeline.jars", "file://" + os.path.join(base_dir, jar))

    def baseline_row(value, count, total, total_squares, min_history):
        result = baseline(value, count, total, total_squares, min_history)
        return None if result is None else Row(*result)

    row_type = DataTypes.ROW([
        DataTypes.FIELD("baseline_mean", DataTypes.DOUBLE()),
        DataTypes.FIELD("baseline_stddev", DataTypes.DOUBLE()),
        DataTypes.FIELD("zscore", DataTypes.DOUBLE()),
    ])
    env.create_temporary_system_function("baseline", udf(baseline_row, result_type=row_type))

    sql = statements(settings)
    for ddl in sql[:4]:
        env.execute_sql(ddl)
    inserts = env.create_statement_set()
    for insert in sql[4:]:
        inserts.add_insert_sql(insert)
    result = inserts.execute()
    if local:
        result.wait()


if __name__ == "__main__":
    main()
