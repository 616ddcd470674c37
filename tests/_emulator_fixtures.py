"""Fixtures serving the OpenFIGI emulator on 127.0.0.1 (filled in with the emulator)."""
