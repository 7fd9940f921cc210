/// Queries and edits that rewrite passes are built from. They keep the node list in topological
/// order as long as a replacement node is inserted where the last node it replaces stood.
extension Graph {
    /// Index of the node that produces `value`, or nil for graph inputs and constants.
    public func producer(of value: ValueID) -> Int? {
        nodes.firstIndex { $0.outputs.contains(value) }
    }

    /// Indices of the nodes that read `value` (a node reading it twice appears once).
    public func users(of value: ValueID) -> [Int] {
        nodes.indices.filter { nodes[$0].inputs.contains(value) }
    }

    /// How many places read `value`: node inputs (counting repeats) plus graph outputs.
    public func useCount(of value: ValueID) -> Int {
        nodes.reduce(0) { $0 + $1.inputs.filter { $0 == value }.count } + outputs.filter { $0 == value }.count
    }

    public func isOutput(_ value: ValueID) -> Bool { outputs.contains(value) }

    public func constant(_ value: ValueID) -> Tensor? { constants[value] }

    /// Makes every reader of `old` (nodes and graph outputs) read `new` instead.
    public mutating func replaceAllUses(of old: ValueID, with new: ValueID) {
        for i in nodes.indices {
            nodes[i].inputs = nodes[i].inputs.map { $0 == old ? new : $0 }
        }
        outputs = outputs.map { $0 == old ? new : $0 }
    }

    /// Replaces the nodes at `indices` by `node`, placed where the last of them stood. The caller
    /// makes sure every input of `node` is defined before that point.
    public mutating func replace(nodesAt indices: [Int], with node: Node) {
        guard let last = indices.max() else { return }
        nodes[last] = node
        for index in indices.filter({ $0 != last }).sorted(by: >) { nodes.remove(at: index) }
    }

    /// Inserts `node` before the node at `index`.
    public mutating func insert(_ node: Node, at index: Int) {
        nodes.insert(node, at: index)
    }
}
