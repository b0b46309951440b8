"""Worlds: structure-of-arrays state, numba step kernels and their reference implementations."""
