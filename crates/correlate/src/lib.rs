//! Incident onset and recovery, error signatures, ranked root-cause suspects, milestones and metrics.
