import Foundation

/// Identifiers and comments made from names a model file controls. A model can name a node
/// `*/ system("rm -rf /"); /*`; nothing from the model reaches generated source unsanitized.
public enum Identifier {
    /// A C (and Swift) identifier: ASCII letters, digits and `_`, never starting with a digit,
    /// at most `limit` characters after the prefix, made unique by the caller through `prefix`.
    /// Every run of other characters becomes one `_`. A longer name keeps as many of its last path
    /// components as fit, whole, and starts at a word rather than a number:
    /// `/features/features.1/features.1.0/block/block.0/block.0.0/Conv` →
    /// `features_1_0_block_block_0_block_0_0_Conv`. A last component longer than `limit` keeps its
    /// first `limit` characters.
    public static func sanitize(_ name: String, prefix: String, limit: Int = 48) -> String {
        var components: [String] = []
        var current = ""
        for scalar in name.unicodeScalars {
            if scalar.isASCII, Character(scalar).isLetter || Character(scalar).isNumber {
                current.unicodeScalars.append(scalar)
            } else if !current.isEmpty {
                components.append(current)
                current = ""
            }
        }
        if !current.isEmpty { components.append(current) }
        var kept: [String] = []
        var length = -1
        for component in components.reversed() {
            guard length + 1 + component.count <= limit else { break }
            kept.append(component)
            length += 1 + component.count
        }
        if kept.isEmpty, let last = components.last { kept = [String(last.prefix(limit))] }
        // A shortened name starts at a word, not at a component's index (`1_features_1_0` → `features_1_0`).
        while kept.count > 1, kept.count < components.count, let first = kept.last, first.allSatisfy(\.isNumber) { kept.removeLast() }
        return prefix + kept.reversed().map { "_" + $0 }.joined()
    }

    /// Text safe inside a C block comment: printable ASCII (others become `?`), no newlines, and a
    /// space between any `*` and `/` next to each other (no `/*`, no `*/`) and between two `?`
    /// (no trigraphs, so `??/` cannot become a backslash that splices the next line in).
    public static func commentText(_ text: String, limit: Int = 200) -> String {
        var out = ""
        var previous: Character = " "
        for scalar in text.unicodeScalars.prefix(limit) {
            let c = scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7f ? Character(scalar) : "?"
            if (previous == "*" && c == "/") || (previous == "/" && c == "*") || (previous == "?" && c == "?") {
                out.append(" ")
            }
            out.append(c)
            previous = c
        }
        return out
    }

    /// A C string literal's contents: printable ASCII with `"` and `\` escaped, others as `\ooo`.
    public static func cString(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7f where byte != UInt8(ascii: "?"): out.append(Character(Unicode.Scalar(byte)))
            default: out += "\\" + String(byte, radix: 8).leftPadded(to: 3)
            }
        }
        return out
    }
}

private extension String {
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}

extension Identifier {
    /// Swift's reserved words (keywords in declarations, statements, expressions and types, and the
    /// `#` directives' words), which an identifier must not be.
    public static let swiftKeywords: Set<String> = [
        "associatedtype", "borrowing", "class", "consuming", "deinit", "enum", "extension", "fileprivate", "func", "import",
        "init", "inout", "internal", "let", "nonisolated", "open", "operator", "private", "precedencegroup", "protocol",
        "public", "rethrows", "static", "struct", "subscript", "typealias", "var", "break", "case", "catch", "continue",
        "default", "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "throw", "switch",
        "where", "while", "Any", "as", "await", "false", "is", "nil", "self", "Self", "super", "throws", "true", "try", "_",
    ]

    /// `name` as a Swift identifier: names from `sanitize` (ASCII letters, digits and `_`, starting
    /// with the prefix) pass unchanged unless they are a keyword; anything else — a keyword, a
    /// leading digit, a non-ASCII or punctuation character, a backtick — is rebuilt through
    /// `sanitize` with the prefix `n`, so no model-controlled text reaches Swift source as code.
    public static func swiftSafe(_ name: String) -> String {
        let valid = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && (Character($0).isLetter || Character($0).isNumber || $0 == "_") }
            && !(name.first?.isNumber ?? true)
        if valid && !swiftKeywords.contains(name) { return name }
        return sanitize(name, prefix: "n")
    }
}
