using System.Text;

namespace OrleansImaging.Dicom.Text;

/// <summary>
/// The .NET encodings the character sets are built on, created once. Decoders replace
/// undecodable bytes with U+FFFD (the code page default would be '?', which is
/// indistinguishable from a real question mark); encoders write nothing for a character the
/// code page lacks, so callers can tell "cannot encode" from a result without catching.
/// </summary>
internal static class CodePages
{
    static CodePages()
    {
        // Idempotent: registering the same provider again is harmless.
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        EucJp = Get(20932);
        EucKr = Get(51949);
        Gbk = Get(936);
        Gb18030 = Get(54936);
        Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);
    }

    /// <summary>EUC-JP (code page 20932): JIS X 0208 with high bits set; no JIS X 0212.</summary>
    public static Encoding EucJp { get; }

    /// <summary>EUC-KR (code page 51949): KS X 1001 with high bits set.</summary>
    public static Encoding EucKr { get; }

    /// <summary>GBK (code page 936), a superset of EUC-CN (GB 2312 with high bits set).</summary>
    public static Encoding Gbk { get; }

    /// <summary>GB 18030 (code page 54936), covering all of Unicode.</summary>
    public static Encoding Gb18030 { get; }

    /// <summary>UTF-8 without a byte order mark; invalid sequences decode as U+FFFD.</summary>
    public static Encoding Utf8 { get; }

    /// <summary>Gets a code page whose encoder throws <see cref="EncoderFallbackException"/> for a character it lacks.</summary>
    public static Encoding GetStrict(int codePage) =>
        codePage == Encoding.UTF8.CodePage
            ? new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true)
            : Encoding.GetEncoding(codePage, EncoderFallback.ExceptionFallback, new DecoderReplacementFallback("\uFFFD"));

    /// <summary>Gets a code page with the fallbacks described on the class.</summary>
    public static Encoding Get(int codePage) =>
        Encoding.GetEncoding(codePage, new EncoderReplacementFallback(string.Empty), new DecoderReplacementFallback("\uFFFD"));
}
