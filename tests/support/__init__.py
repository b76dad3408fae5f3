"""Helpers shared by the test suites: imported from here, never from another test module."""
