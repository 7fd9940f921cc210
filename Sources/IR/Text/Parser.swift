/// Reads Kiln's IR text format (what `IRPrinter` writes) back into a verified `Graph`. Golden tests
/// of passes are written in it. Constants printed without values get deterministic values derived
/// from their name, so a test file need only spell out the constants whose values matter.
public struct IRParser {
    private var chars: [Character]
    private var pos = 0
    private var graph = Graph()
    private var values: [String: ValueID] = [:]

    public static func parse(_ text: String) throws -> Graph {
        var parser = IRParser(chars: Array(text))
        return try parser.parseGraph()
    }

    private init(chars: [Character]) { self.chars = chars }

    // MARK: - Grammar

    private mutating func parseGraph() throws -> Graph {
        try expectWord("graph")
        skipSpace()
        if peek == "\"" { graph.info.graphName = try parseString() }
        try expect("{")
        while true {
            skipSpace()
            if peek == "}" { pos += 1; break }
            if peek == "%" {
                try parseNode()
                continue
            }
            let word = parseWord()
            switch word {
            case "input":
                let (name, type) = try parseTypedValue()
                let id = graph.addValue(name: name, type: type)
                try define(name, id)
                graph.inputs.append(id)
            case "const":
                let (name, type) = try parseTypedValue()
                skipSpace()
                let tensor: Tensor
                if peek == "=" {
                    pos += 1
                    tensor = try parseLiteral(type)
                } else {
                    tensor = Self.deterministicTensor(type, seed: name)
                }
                try define(name, graph.addConstant(name: name, tensor))
            case "output":
                let name = try parseValueName()
                guard let id = values[name] else { throw error("output %\(name) is not defined") }
                graph.outputs.append(id)
            default:
                throw error("expected input, const, output, a node or '}', found '\(word)'")
            }
        }
        try Verifier.verify(graph)
        return graph
    }

    private mutating func parseNode() throws {
        var results: [(String, TensorType)] = []
        repeat {
            results.append(try parseTypedValue())
        } while consume(",")
        try expect("=")
        skipSpace()
        let opType = parseWord()
        guard let kind = OperatorRegistry.named(opType) else { throw error("unknown operator '\(opType)'") }
        try expect("(")
        var inputs: [ValueID] = []
        skipSpace()
        if peek != ")" {
            repeat {
                let name = try parseValueName()
                guard let id = values[name] else { throw error("%\(name) is used before it is defined") }
                inputs.append(id)
            } while consume(",")
        }
        try expect(")")
        var attributes = Attributes()
        skipSpace()
        if consume("{") { attributes = try parseAttributeList(close: "}") }
        var annotations: [String: AttributeValue] = [:]
        skipSpace()
        if consume("[") { annotations = try parseAttributeList(close: "]").values }
        var provenance: [String] = []
        skipSpace()
        if peekWord("loc") {
            _ = parseWord()
            try expect("(")
            skipSpace()
            if peek != ")" {
                repeat { skipSpace(); provenance.append(try parseString()) } while consume(",")
            }
            try expect(")")
        }
        let inputTypes = inputs.map(graph.type(of:))
        let op: any Operator
        let inferred: [TensorType]
        do {
            op = try kind.parse(attributes, inputTypes: inputTypes)
            inferred = try op.inferTypes(inputTypes)
        } catch let e as KilnError {
            throw error("\(opType): \(e.message)")
        }
        guard inferred.count == results.count else {
            throw error("\(opType) has \(inferred.count) results, \(results.count) written")
        }
        var outputs: [ValueID] = []
        for ((name, type), actual) in zip(results, inferred) {
            guard type == actual else { throw error("%\(name) is written as \(type) but \(opType) gives \(actual)") }
            let id = graph.addValue(name: name, type: type)
            try define(name, id)
            outputs.append(id)
        }
        if provenance.isEmpty { provenance = [results[0].0] }
        graph.nodes.append(Node(name: provenance[0], op: op, inputs: inputs, outputs: outputs,
                                provenance: provenance, annotations: annotations))
    }

    private mutating func parseAttributeList(close: Character) throws -> Attributes {
        var attributes = Attributes()
        skipSpace()
        if consume(close) { return attributes }
        repeat {
            skipSpace()
            let key = parseWord()
            guard !key.isEmpty else { throw error("expected an attribute name") }
            try expect("=")
            attributes[key] = try parseAttributeValue()
        } while consume(",")
        try expect(close)
        return attributes
    }

    private mutating func parseAttributeValue() throws -> AttributeValue {
        skipSpace()
        if peek == "\"" { return .string(try parseString()) }
        if peekWord("tensor") {
            _ = parseWord()
            try expect("<")
            let type = try parseType()
            try expect(">")
            return .tensor(try parseLiteral(type))
        }
        if consume("[") {
            skipSpace()
            if consume("]") { return .ints([]) }
            if peek == "\"" {
                var items: [String] = []
                repeat { skipSpace(); items.append(try parseString()) } while consume(",")
                try expect("]")
                return .strings(items)
            }
            var items: [String] = []
            repeat { items.append(try parseNumberText()) } while consume(",")
            try expect("]")
            if items.allSatisfy({ Int($0) != nil }) { return .ints(items.compactMap { Int($0) }) }
            return .floats(try items.map(floatValue))
        }
        let text = try parseNumberText()
        if let i = Int(text) { return .int(i) }
        return .float(try floatValue(text))
    }

    private mutating func parseLiteral(_ type: TensorType) throws -> Tensor {
        try expect("[")
        var items: [String] = []
        skipSpace()
        if !consume("]") {
            repeat { items.append(try parseNumberText()) } while consume(",")
            try expect("]")
        }
        guard items.count == type.elementCount else {
            throw error("\(type) needs \(type.elementCount) values, \(items.count) given")
        }
        let tensor = Tensor(zeros: type)
        let bytes = tensor.storage.mutableBytes
        for (i, text) in items.enumerated() {
            switch type.elementType {
            case .float32: bytes.storeBytes(of: try floatValue(text), toByteOffset: 4 * i, as: Float.self)
            case .float64: bytes.storeBytes(of: Double(try floatValue(text)), toByteOffset: 8 * i, as: Double.self)
            case .int64: bytes.storeBytes(of: Int64(try intValue(text)), toByteOffset: 8 * i, as: Int64.self)
            case .int32: bytes.storeBytes(of: Int32(truncatingIfNeeded: try intValue(text)), toByteOffset: 4 * i, as: Int32.self)
            case .int8: bytes.storeBytes(of: Int8(truncatingIfNeeded: try intValue(text)), toByteOffset: i, as: Int8.self)
            case .uint8, .bool: bytes.storeBytes(of: UInt8(truncatingIfNeeded: try intValue(text)), toByteOffset: i, as: UInt8.self)
            }
        }
        return tensor
    }

    private mutating func parseTypedValue() throws -> (String, TensorType) {
        let name = try parseValueName()
        try expect(":")
        return (name, try parseType())
    }

    private mutating func parseType() throws -> TensorType {
        skipSpace()
        let word = parseWord()
        guard let elementType = ElementType(rawValue: word) else { throw error("unknown element type '\(word)'") }
        try expect("[")
        var text = ""
        while let c = peek, c != "]" { text.append(c); pos += 1 }
        try expect("]")
        let dims = text.isEmpty ? [] : text.split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard dims.allSatisfy({ ($0 ?? -1) >= 0 }) else { throw error("bad shape '[\(text)]'") }
        let shape = dims.compactMap { $0 }
        do {
            _ = try TensorType.checkedElementCount(shape, elementSize: elementType.byteSize)
        } catch let e as KilnError {
            throw error(e.message)
        }
        return TensorType(elementType, shape)
    }

    private mutating func parseValueName() throws -> String {
        skipSpace()
        guard consume("%") else { throw error("expected a value name starting with %") }
        if peek == "\"" { return try parseString() }
        var name = ""
        while let c = peek, c.isLetter || c.isNumber || "_./-".contains(c) { name.append(c); pos += 1 }
        guard !name.isEmpty else { throw error("empty value name") }
        return name
    }

    // MARK: - Lexical helpers

    private var peek: Character? { pos < chars.count ? chars[pos] : nil }

    private mutating func skipSpace() {
        while let c = peek {
            if c == "#" {
                while let d = peek, d != "\n" { _ = d; pos += 1 }
            } else if c.isWhitespace {
                pos += 1
            } else {
                return
            }
        }
    }

    private mutating func consume(_ c: Character) -> Bool {
        skipSpace()
        if peek == c { pos += 1; return true }
        return false
    }

    private mutating func expect(_ c: Character) throws {
        guard consume(c) else { throw error("expected '\(c)'") }
    }

    private mutating func parseWord() -> String {
        skipSpace()
        var word = ""
        while let c = peek, c.isLetter || c.isNumber || c == "_" { word.append(c); pos += 1 }
        return word
    }

    private func peekWord(_ word: String) -> Bool {
        let end = pos + word.count
        guard end <= chars.count, String(chars[pos..<end]) == word else { return false }
        return end == chars.count || !(chars[end].isLetter || chars[end].isNumber || chars[end] == "_")
    }

    private mutating func expectWord(_ word: String) throws {
        guard parseWord() == word else { throw error("expected '\(word)'") }
    }

    private mutating func parseNumberText() throws -> String {
        skipSpace()
        var text = ""
        while let c = peek, c.isLetter || c.isNumber || "+-.".contains(c) { text.append(c); pos += 1 }
        guard !text.isEmpty else { throw error("expected a number") }
        return text
    }

    private func floatValue(_ text: String) throws -> Float {
        switch text {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default:
            guard let v = Float(text) else { throw error("'\(text)' is not a number") }
            return v
        }
    }

    private func intValue(_ text: String) throws -> Int {
        guard let v = Int(text) else { throw error("'\(text)' is not an integer") }
        return v
    }

    private mutating func parseString() throws -> String {
        skipSpace()
        guard consume("\"") else { throw error("expected a string") }
        var s = ""
        while let c = peek {
            pos += 1
            switch c {
            case "\"": return s
            case "\\":
                guard let next = peek else { throw error("unterminated escape") }
                pos += 1
                switch next {
                case "n": s.append("\n")
                case "u":
                    try expect("{")
                    var hex = ""
                    while let h = peek, h != "}" { hex.append(h); pos += 1 }
                    try expect("}")
                    guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else { throw error("bad escape \\u{\(hex)}") }
                    s.unicodeScalars.append(scalar)
                default: s.append(next)
                }
            default: s.append(c)
            }
        }
        throw error("unterminated string")
    }

    private mutating func define(_ name: String, _ id: ValueID) throws {
        guard values[name] == nil else { throw error("%\(name) is defined twice") }
        values[name] = id
    }

    private func error(_ message: String) -> KilnError {
        let line = chars[..<min(pos, chars.count)].filter { $0 == "\n" }.count + 1
        return KilnError("line \(line): \(message)")
    }

    /// Values for a constant the text gives no literal for: uniform in [-1, 1) (floats) or [0, 4)
    /// (integers), from a generator seeded by the name, so every run sees the same graph.
    static func deterministicTensor(_ type: TensorType, seed: String) -> Tensor {
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in seed.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 33
        }
        let tensor = Tensor(zeros: type)
        let bytes = tensor.storage.mutableBytes
        for i in 0..<type.elementCount {
            let r = next()
            switch type.elementType {
            case .float32: bytes.storeBytes(of: Float(r % 2_000_001) / 1_000_000 - 1, toByteOffset: 4 * i, as: Float.self)
            case .float64: bytes.storeBytes(of: Double(r % 2_000_001) / 1_000_000 - 1, toByteOffset: 8 * i, as: Double.self)
            case .int64: bytes.storeBytes(of: Int64(r % 4), toByteOffset: 8 * i, as: Int64.self)
            case .int32: bytes.storeBytes(of: Int32(r % 4), toByteOffset: 4 * i, as: Int32.self)
            case .int8, .uint8, .bool: bytes.storeBytes(of: UInt8(r % (type.elementType == .bool ? 2 : 4)), toByteOffset: i, as: UInt8.self)
            }
        }
        return tensor
    }
}
