"""The start-up probe: a script that does nothing but print, timed under each launcher."""

print("ok")
