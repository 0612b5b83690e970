// Constructs are exported here, one line per construct folder.
