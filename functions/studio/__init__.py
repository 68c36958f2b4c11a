"""Image Prompt Studio: application code shared by every Lambda function."""
