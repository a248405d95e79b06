print("CoreBenchmark: not yet")
