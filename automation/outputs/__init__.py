"""What a run leaves behind: the run directory, plan and report files, HTML and JUnit, the terminal summary, logs."""
