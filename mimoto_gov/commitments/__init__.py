"""The privacy policy's promises, each with a check and its evidence."""
