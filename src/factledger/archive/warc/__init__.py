"""The WARC 1.1 archive: captures written as request/response (or request/revisit) record pairs.

One module per job, each importing only the public names of the others:

- ``records``: what the others share: an HTTP exchange as fetched, a record's location, a revisit's
  target, the file naming and the WARC constants;
- ``build``: a capture's records as finished gzip members, built anywhere (in a worker process even);
- ``store``: this process's own WARC file: appending built records, fsync, rotation;
- ``repair``: on start, truncating the torn tails crashed writers left behind;
- ``reader``: reading one response or revisit record back from its location.
"""
