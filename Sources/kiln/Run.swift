import ArgumentParser
import Frontend
import IR
import Reference

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run a model with the reference interpreter.")

    @OptionGroup var model: ModelOptions

    func run() throws {
        try reportingErrors {
            _ = try model.load()
        }
    }
}
