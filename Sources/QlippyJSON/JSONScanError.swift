/// Why a structural scan (``JSONArrayElements``) stopped.
public enum JSONScanError: Error, Equatable {
    /// The bytes stop being JSON: what was expected, and where (``JSONSyntaxProblem/described(in:)``).
    case notJSON(String)
    /// The document is JSON, but its top-level value is not the kind the scan reads (an object
    /// where an array was asked for, or the reverse); the caller names what it found.
    case otherValue
}

/// Told how far a scan has read, so that what lies behind it can be handed back (a mapped file's
/// pages): a scan over a large file then keeps only a stretch of it resident.
public protocol ScannedPages: Sendable {
    func reading(at offset: Int)
}
