"""Developer tools: the demo launcher and the screenshot renderer."""
