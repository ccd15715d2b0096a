// Command siglab is the lab's command line: flag parsing and wiring only.
// Every number it prints is computed by a library call (package bench for
// benchmarks, comparisons and the CI gate; package serve for running a
// program under emulation), so tests exercise the libraries and this command
// stays thin.
//
// Exit status: 0 success; 1 a failure the command measured (a benchmark
// failed, the gate found a regression, …); 2 bad usage or bad input — an
// unknown subcommand, flag or layout, an unreadable or malformed result
// file, results from different machines — always with a one-line message.
package main
