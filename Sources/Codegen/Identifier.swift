import Foundation

/// Identifiers and comments made from names a model file controls. A model can name a node
/// `*/ system("rm -rf /"); /*`; nothing from the model reaches generated source unsanitized.
public enum Identifier {
    /// A C (and Swift) identifier: ASCII letters, digits and `_`, never starting with a digit,
    /// at most `limit` characters, made unique by the caller through `prefix`.
    public static func sanitize(_ name: String, prefix: String, limit: Int = 48) -> String {
        var out = ""
        var lastUnderscore = false
        for scalar in name.unicodeScalars {
            let c = Character(scalar)
            if scalar.isASCII, c.isLetter || c.isNumber {
                out.append(c)
                lastUnderscore = false
            } else if !lastUnderscore {
                out.append("_")
                lastUnderscore = true
            }
        }
        let trimmed = out.trimmingUnderscores()
        return prefix + (trimmed.isEmpty ? "" : "_" + String(trimmed.suffix(limit)))
    }

    /// Text safe inside a C block comment: printable ASCII, no `*/`, no newlines.
    public static func commentText(_ text: String, limit: Int = 200) -> String {
        var out = ""
        for scalar in text.unicodeScalars.prefix(limit) {
            out.append(scalar.isASCII && scalar.value >= 0x20 && scalar.value < 0x7f ? Character(scalar) : "?")
        }
        while out.contains("*/") { out = out.replacingOccurrences(of: "*/", with: "* /") }
        while out.contains("/*") { out = out.replacingOccurrences(of: "/*", with: "/ *") }
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
    func trimmingUnderscores() -> String { trimmingCharacters(in: CharacterSet(charactersIn: "_")) }
    func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
