# long run seed 7, graph 612 (seed 7000633): an int16 Add of a Concat's output and the Concat's first input (a slice of
# the same buffer, broadcast over both rows) was computed in place over the Concat's buffer: the second row read the
# overwritten first. Fixed: an elementwise op does not take over an input whose memory another of its inputs shares.
--path generic:O2:-O2 --path cortex-m4:O2:-O2
