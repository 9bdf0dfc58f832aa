"""Problems on disk, their checks and tooling."""
