"""Subject access: the case (who, which request, what is held) and the package sent."""
