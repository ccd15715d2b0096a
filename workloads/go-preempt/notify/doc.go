// Command notify checks os/signal delivery end to end: it asks for SIGUSR1,
// SIGHUP and SIGTERM with signal.Notify, sends itself -self of each with
// kill(2), then re-executes itself as a child that sends -child of each to
// the parent, and requires the received counts to match the sent counts
// exactly. Go routes a notified signal from its handler (runtime sighandler
// → sigsend) through the signal-receiving goroutine to the channel, so
// every hop of an emulated delivery is exercised, with the signals coming
// from the process itself and from another process.
//
// Standard signals coalesce while pending (signal(7)), so an exact count is
// only defined if no two sends of a signal overlap: each send waits for the
// previous one to arrive. For self-sends the main goroutine sends, then
// waits on the Notify channel; for the child, the parent writes one ack
// byte to the child's stdin per received signal and the child sends the
// next one only after reading it. Waits are bounded: if nothing arrives for
// -idle (2 s), the run fails. After the last send the workload listens for
// -settle more, so a duplicated delivery is counted too.
//
// Self-check: for each signal, received == self + child.
package main
