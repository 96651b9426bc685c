"""The resident's printing: the print service and its quota, the words on paper and on screen, the commands."""
