"""Helpers shared by the test modules: configs, data, processes, servers, runs.

Test modules import from here, never from each other.
"""




