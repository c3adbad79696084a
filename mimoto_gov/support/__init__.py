"""Foundation helpers every layer may use: private atomic files, safe output, progress bars."""
