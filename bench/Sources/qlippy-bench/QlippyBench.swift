import ArgumentParser

/// Benchmark helpers: `seed` writes a database in the original's layout, `ceiling` serves the
/// HTTP ceiling the server is measured against. `bench/run` drives both.
@main
struct QlippyBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "qlippy-bench",
        abstract: "Seed benchmark databases and serve the HTTP ceiling.",
        subcommands: [Seed.self, Ceiling.self]
    )
}
