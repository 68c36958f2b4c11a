"""boto3 lives here and nowhere else: each adapter turns ClientError into a domain error."""
