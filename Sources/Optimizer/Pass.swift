import IR

/// A named transformation of the graph. The name is what `--passes`, `--print-after` and
/// `--stop-after` accept. A pass's doc comment shows the IR before and after and says when it does
/// not apply.
public protocol Pass: Sendable {
    var name: String { get }
    /// Rewrites the graph; returns whether anything changed. Throws only for real errors (a graph
    /// the pass cannot handle), never for "no match".
    func run(_ graph: inout Graph) throws -> Bool
}

/// A local rewrite: looks at one node (usually the last of a chain) and either rewrites the graph
/// around it and returns true, or leaves the graph untouched and returns false ("no match").
public protocol RewritePattern: Sendable {
    var name: String { get }
    func rewrite(at index: Int, in graph: inout Graph) -> Bool
}

/// Applies rewrite patterns until none matches (a fixed point), removing nodes left dead after
/// each rewrite so use counts stay exact. Stops with an error past `maxSteps` rewrites, which would
/// mean two patterns undo each other.
public struct PatternPass: Pass {
    public let name: String
    public let patterns: [any RewritePattern]
    public var maxSteps = 100_000

    public init(name: String, patterns: [any RewritePattern]) {
        self.name = name
        self.patterns = patterns
    }

    public func run(_ graph: inout Graph) throws -> Bool {
        var steps = 0
        var index = 0
        while index < graph.nodes.count {
            var matched = false
            for pattern in patterns where pattern.rewrite(at: index, in: &graph) {
                matched = true
                steps += 1
                guard steps <= maxSteps else {
                    throw KilnError("pass \(name) did not reach a fixed point after \(maxSteps) rewrites (last: \(pattern.name))")
                }
                graph.removeDeadNodes()
                break
            }
            // After a rewrite, rescan from the start: earlier nodes may match now.
            index = matched ? 0 : index + 1
        }
        return steps > 0
    }
}

/// `dce`: removes nodes whose results nobody reads and constants nobody uses.
public struct DeadCodeElimination: Pass {
    public let name = "dce"
    public init() {}

    public func run(_ graph: inout Graph) throws -> Bool {
        let before = (graph.nodes.count, graph.constants.count)
        graph.removeDeadNodes()
        return before != (graph.nodes.count, graph.constants.count)
    }
}
