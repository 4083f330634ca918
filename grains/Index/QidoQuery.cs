using System.Globalization;
using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Index;

/// <summary>
/// A QIDO-RS query (PS3.18 10.6) ready for <see cref="IQueryIndex.QueryAsync"/>: the tenant it is
/// confined to, the level and parents from the path, the matching keys, the fields to return and
/// the page. Build it with <see cref="Parse"/>; the tenant comes from the caller's verified
/// identity, never from the query string.
/// </summary>
public sealed record QidoQuery
{
    /// <summary>The most matches one query returns; a larger <c>limit</c> is capped to it.</summary>
    public const int MaxLimit = 1000;

    /// <summary>The longest matching value accepted (PN with three groups of five 64-character components fits).</summary>
    public const int MaxValueLength = 1024;

    /// <summary>The most UIDs or codes one list-valued key may hold.</summary>
    public const int MaxListLength = 500;

    /// <summary>The tenant whose index is searched. Required: no query crosses tenants.</summary>
    public required string TenantId { get; init; }

    /// <summary>What one match is.</summary>
    public required QueryLevel Level { get; init; }

    /// <summary>The study in the path (<c>/studies/{study}/…</c>), or null.</summary>
    public string? StudyInstanceUid { get; init; }

    /// <summary>The series in the path (<c>/studies/{study}/series/{series}/instances</c>), or null.</summary>
    public string? SeriesInstanceUid { get; init; }

    /// <summary>The matching keys; a match must satisfy all of them.</summary>
    public IReadOnlyList<QidoMatch> Matches { get; init; } = [];

    /// <summary><c>includefield=all</c>: every stored attribute of the level (and of open parent levels).</summary>
    public bool IncludeAllFields { get; init; }

    /// <summary>Attributes to return besides the required ones, when stored.</summary>
    public IReadOnlyList<DicomTag> IncludeFields { get; init; } = [];

    /// <summary>The most matches to return.</summary>
    /// <value><see cref="MaxLimit"/>.</value>
    public int Limit { get; init; } = MaxLimit;

    /// <summary>Matches to skip.</summary>
    /// <value>0.</value>
    public int Offset { get; init; }

    /// <summary>True when the client asked for more than <see cref="MaxLimit"/> (PS3.18 wants a warning then).</summary>
    public bool LimitWasCapped { get; init; }

    /// <summary>
    /// <c>fuzzymatching=true</c>: a PN key also matches when it is the start of any name component,
    /// so <c>xiao</c> finds <c>Wang^XiaoDong</c> and <c>wang</c> finds <c>Wang^XiaoDong</c>.
    /// Other attributes match as without it.
    /// </summary>
    /// <value>False.</value>
    public bool FuzzyMatching { get; init; }

    /// <summary>
    /// Reads a QIDO-RS query string. Keys are attribute keywords (<c>PatientName</c>) or tags
    /// (<c>00100010</c>), plus <c>includefield</c> (comma-separated or repeated; <c>all</c>),
    /// <c>limit</c>, <c>offset</c> and <c>fuzzymatching</c>. An empty value or one of only
    /// <c>*</c> matches everything, as PS3.4 C.2.2.2.3 says.
    /// </summary>
    /// <param name="tenantId">The tenant of the caller's verified identity.</param>
    /// <param name="level">The level of the route.</param>
    /// <param name="queryString">The decoded query parameters, repeated keys repeated.</param>
    /// <param name="studyInstanceUid">The study in the route, if any.</param>
    /// <param name="seriesInstanceUid">The series in the route, if any (only with a study, at instance level).</param>
    /// <exception cref="QidoQueryException">A parameter is unknown, repeated, unsupported at this level or badly formed; it is named.</exception>
    public static QidoQuery Parse(
        string tenantId, QueryLevel level, IEnumerable<KeyValuePair<string, string>> queryString,
        string? studyInstanceUid = null, string? seriesInstanceUid = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(tenantId);
        ArgumentNullException.ThrowIfNull(queryString);
        if (studyInstanceUid is not null && level == QueryLevel.Study)
            throw new ArgumentException("A study-level query has no study in its path.", nameof(studyInstanceUid));
        if (seriesInstanceUid is not null && (level != QueryLevel.Instance || studyInstanceUid is null))
            throw new ArgumentException("Only an instance-level query under a study has a series in its path.", nameof(seriesInstanceUid));
        if (studyInstanceUid is not null)
            ValidateUid("StudyInstanceUID", studyInstanceUid);
        if (seriesInstanceUid is not null)
            ValidateUid("SeriesInstanceUID", seriesInstanceUid);

        var matches = new List<QidoMatch>();
        var matched = new HashSet<DicomTag>();
        var includeFields = new List<DicomTag>();
        var includeAll = false;
        int? limit = null, offset = null;
        bool? fuzzy = null;
        foreach (var (rawKey, rawValue) in queryString)
        {
            var key = rawKey ?? "";
            var value = rawValue ?? "";
            switch (key.ToLowerInvariant())
            {
                case "includefield":
                    foreach (var field in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (field.Equals("all", StringComparison.OrdinalIgnoreCase))
                            includeAll = true;
                        else if (TryResolveTag(field, out var tag))
                            includeFields.Add(tag);
                        else
                            throw new QidoQueryException(field, $"includefield names an unknown attribute '{Shorten(field)}'.");
                    }
                    break;
                case "limit":
                    limit = ParseCount(key, value, limit);
                    break;
                case "offset":
                    offset = ParseCount(key, value, offset);
                    break;
                case "fuzzymatching":
                    if (fuzzy is not null)
                        throw Repeated(key);
                    fuzzy = value.ToLowerInvariant() switch
                    {
                        "true" => true,
                        "false" => false,
                        _ => throw new QidoQueryException(key, "fuzzymatching must be true or false."),
                    };
                    break;
                default:
                    var match = ParseMatch(key, value, level, studyInstanceUid is not null, seriesInstanceUid is not null);
                    if (!matched.Add(match.Attribute.Tag))
                        throw Repeated(match.Attribute.Keyword);
                    if (match.Match is not null)
                        matches.Add(match.Match);
                    break;
            }
        }
        var requested = limit ?? MaxLimit;
        return new QidoQuery
        {
            TenantId = tenantId,
            Level = level,
            StudyInstanceUid = studyInstanceUid,
            SeriesInstanceUid = seriesInstanceUid,
            Matches = matches,
            IncludeAllFields = includeAll,
            IncludeFields = includeFields.Distinct().ToArray(),
            Limit = Math.Min(requested, MaxLimit),
            LimitWasCapped = requested > MaxLimit,
            Offset = offset ?? 0,
            FuzzyMatching = fuzzy ?? false,
        };
    }

    private static (QidoAttribute Attribute, QidoMatch? Match) ParseMatch(string key, string value, QueryLevel level, bool studyInPath, bool seriesInPath)
    {
        if (!TryResolveTag(key, out var tag))
            throw new QidoQueryException(key, $"'{Shorten(key)}' is not a query parameter or a DICOM attribute.");
        if (!QidoAttributes.Matchable.TryGetValue(tag, out var attribute)
            || !QidoAttributes.IsMatchableAt(attribute.Level, level, studyInPath, seriesInPath))
        {
            var name = DicomDictionary.Default.TryGetEntry(tag, out var entry) ? entry.Keyword : tag.ToJsonKey();
            throw new QidoQueryException(name, $"{name} is not supported for matching in a {level.ToString().ToLowerInvariant()}-level query{(studyInPath ? " under a study" : "")}.");
        }
        var name2 = attribute.Keyword;
        if (value.Length > MaxValueLength)
            throw new QidoQueryException(name2, $"The value of {name2} is longer than {MaxValueLength} characters.");
        if (value.Any(char.IsControl))
            throw new QidoQueryException(name2, $"The value of {name2} holds a control character.");
        value = value.Trim();
        // PS3.4 C.2.2.2.3: an empty value or a lone '*' is universal matching, which restricts nothing.
        if (value.Length == 0 || value.All(c => c == '*'))
            return (attribute, null);
        QidoMatch match = attribute.Kind switch
        {
            QidoMatchKind.Text => new QidoValueMatch(tag, [value]),
            QidoMatchKind.PersonName => new QidoPersonNameMatch(tag, NormalizePersonName(value)),
            QidoMatchKind.Date => ParseRange(attribute, value, static (text, _) => IndexKeys.IsDate(text) ? text : null, "YYYYMMDD"),
            QidoMatchKind.Time => ParseRange(attribute, value, static (text, upper) => IndexKeys.TryTime(text, upper, out var k) ? k : null, "HHMMSS"),
            QidoMatchKind.UidList => new QidoValueMatch(tag, SplitList(attribute, value, v => ValidateUid(name2, v))),
            QidoMatchKind.CodeList => new QidoValueMatch(tag, SplitList(attribute, value, v =>
            {
                if (v.Length is 0 or > 16)
                    throw new QidoQueryException(name2, $"Each value of {name2} must be 1 to 16 characters.");
            })),
            QidoMatchKind.Integer => long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
                ? new QidoIntegerMatch(tag, number)
                : throw new QidoQueryException(name2, $"{name2} must be an integer."),
            _ => throw new InvalidOperationException($"No parser for {attribute.Kind}."),
        };
        return (attribute, match);
    }

    private static string NormalizePersonName(string value)
    {
        var upper = value.ToUpperInvariant();
        // Stored keys drop trailing empty components ("DOE^JANE^^^" is "DOE^JANE"); so does the pattern, in each group.
        return string.Join('=', upper.Split('=').Select(group => group.TrimEnd('^', ' '))).TrimEnd('=');
    }

    private static QidoRangeMatch ParseRange(QidoAttribute attribute, string value, Func<string, bool, string?> normalize, string form)
    {
        var name = attribute.Keyword;
        var dash = value.IndexOf('-');
        if (dash != value.LastIndexOf('-') || value == "-")
            throw new QidoQueryException(name, $"{name} must be {form}, {form}-{form}, -{form} or {form}-.");
        if (dash < 0)
        {
            var lower = normalize(value, false) ?? throw Invalid(name, value, form);
            var upper = normalize(value, true) ?? throw Invalid(name, value, form);
            return new QidoRangeMatch(attribute.Tag, lower, upper);
        }
        var from = value[..dash].Trim();
        var to = value[(dash + 1)..].Trim();
        var lowerBound = from.Length == 0 ? null : normalize(from, false) ?? throw Invalid(name, from, form);
        var upperBound = to.Length == 0 ? null : normalize(to, true) ?? throw Invalid(name, to, form);
        if (lowerBound is not null && upperBound is not null && string.CompareOrdinal(lowerBound, upperBound) > 0)
            throw new QidoQueryException(name, $"The {name} range '{value}' ends before it starts.");
        return new QidoRangeMatch(attribute.Tag, lowerBound, upperBound);
    }

    private static QidoQueryException Invalid(string name, string value, string form) =>
        new(name, $"'{Shorten(value)}' is not a valid {name}; expected {form}.");

    private static string[] SplitList(QidoAttribute attribute, string value, Action<string> validate)
    {
        var values = value.Split('\\', StringSplitOptions.TrimEntries);
        if (values.Length > MaxListLength)
            throw new QidoQueryException(attribute.Keyword, $"{attribute.Keyword} lists more than {MaxListLength} values.");
        foreach (var v in values)
            validate(v);
        return values.Distinct(StringComparer.Ordinal).ToArray();
    }

    private static void ValidateUid(string name, string uid)
    {
        // PS3.5 9.1: digits and dots, at most 64 characters, no empty or zero-led components (the
        // last rule is often broken by real devices, so it is not enforced here).
        if (uid.Length is 0 or > 64 || uid[0] == '.' || uid[^1] == '.' || uid.Contains("..", StringComparison.Ordinal)
            || !uid.All(c => char.IsAsciiDigit(c) || c == '.'))
            throw new QidoQueryException(name, $"'{Shorten(uid)}' is not a valid {name}.");
    }

    private static int ParseCount(string key, string value, int? previous)
    {
        if (previous is not null)
            throw Repeated(key);
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count))
            throw new QidoQueryException(key, $"{key} must be a non-negative integer.");
        return count;
    }

    private static QidoQueryException Repeated(string name) =>
        new(name, $"{name} is given more than once.");

    private static bool TryResolveTag(string key, out DicomTag tag)
    {
        tag = default;
        if (key.Length == 8 && DicomTag.TryParse(key, out tag))
            return true;
        if (DicomDictionary.Default.TryGetByKeyword(key, out var entry) && !entry.IsRange)
        {
            tag = entry.Tag;
            return true;
        }
        return false;
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
