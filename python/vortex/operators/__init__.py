"""The operators VORTEX runs locally: Bash, Python and Dummy/Empty."""
