/// What a usage summary groups by.
public enum UsageGrouping: String, Sendable {
    case model, day
}

/// A UTC calendar day, `YYYY-MM-DD`: how usage is summed over time.
public struct UTCDay: Sendable, Hashable {
    public let text: String

    /// `nil` unless `text` is a day of the calendar in exactly that form.
    public init?(_ text: String) {
        guard text.utf8.count == 10, let midnight = Timestamp(iso8601: text + " 00:00:00"),
            midnight.storageText.hasPrefix(text)
        else { return nil }
        self.text = text
    }
}

/// One group of a usage summary: the messages with details in it, and their tokens.
public struct UsageGroup: Sendable, Hashable {
    /// The model's name, or the day (`YYYY-MM-DD`); `nil` for messages without a model, or
    /// without a timestamp.
    public var key: String?
    public var messages: Int
    public var inputTokens: Int
    public var outputTokens: Int

    public init(key: String?, messages: Int, inputTokens: Int, outputTokens: Int) {
        self.key = key
        self.messages = messages
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
    }
}
