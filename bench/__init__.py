"""Veivis benchmarks: `python -m bench.run` (load, startup, memory, training, NLU quality)."""
