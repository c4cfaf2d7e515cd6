// Preloaded (--import) into a profiled server: SIGUSR2 ends the process with process.exit(), so
// that --cpu-prof writes its profile. SIGTERM would not: Nest's shutdown hook re-raises the
// signal after closing, and a process killed by a signal writes no profile.
process.on('SIGUSR2', () => process.exit(0));
