"""docker/cli's and Go's rendering primitives, byte for byte: the table writer, sizes,
durations, ellipsis, Go string quoting and timestamps (`display`, after docker/cli's formatter and
go-units), Go's fmt printing of values (`goprint`) and encoding/json (`gojson`). Pure functions over
values; they import nothing from the rest of the command line.
"""
