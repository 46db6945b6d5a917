"""Images: what goes into a Docker image. The slim multi-stage Dockerfile and the prefix pruner.

Takes an environment file (dockerfile) or an installed conda prefix (prune) and gives a Dockerfile's
text, or the list of files a deployed environment never needs with the bytes they hold, and deletes them
when asked.
"""
