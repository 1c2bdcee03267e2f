import Foundation
import QlippyModel

/// Text from another app's export made to fit ours.
package enum ImportedText {
    /// A title: trimmed, at most 200 characters (the API's limit), and the default when nothing is left.
    package static func title(_ title: String?) -> String {
        let trimmed = (title ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? Conversation.defaultTitle : cut(trimmed, to: FieldLimits.title)
    }

    /// A model's name: trimmed and at most 200 characters; `nil` when nothing is left.
    package static func model(_ name: String?) -> String? {
        let trimmed = (name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.isEmpty ? nil : cut(trimmed, to: FieldLimits.model)
    }

    private static func cut(_ text: String, to limit: Int) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
    }
}
