"""Running commands over a fleet: the engine, planning, saved plans, interrupts, locks, shards, merge,
verify, probe, export."""
