using System.Text;
using Microsoft.Data.Sqlite;
using OrleansImaging.Dicom;

namespace OrleansImaging.Grains.Index;

public sealed partial class SqliteQueryIndex
{
    /// <inheritdoc />
    public async Task<QueryResult> QueryAsync(QidoQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        // The tenant is the first condition of every query; a query without one is a bug upstream, never "all tenants".
        ArgumentException.ThrowIfNullOrWhiteSpace(query.TenantId, nameof(query));
        if (query.Limit is < 0 or > QidoQuery.MaxLimit || query.Offset < 0)
            throw new ArgumentOutOfRangeException(nameof(query), "Limit must be 0 to QidoQuery.MaxLimit and Offset non-negative.");
        try
        {
            await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            new QuerySql(command).Build(query);
            var results = new QidoResults(query);
            var matches = new List<DicomDataset>();
            var hasMore = false;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                // One row past the page is fetched only to learn whether there is more.
                if (matches.Count == query.Limit)
                {
                    hasMore = true;
                    break;
                }
                var study = new StudyAggregates(reader.GetInt32(1), reader.GetInt32(2), reader.GetString(3));
                var level = query.Level;
                matches.Add(results.Build(
                    reader.GetString(0), study,
                    level == QueryLevel.Study ? null : reader.GetString(4),
                    level == QueryLevel.Study ? 0 : reader.GetInt32(5),
                    level == QueryLevel.Instance ? reader.GetString(6) : null));
            }
            return new QueryResult(matches, hasMore);
        }
        catch (SqliteException ex)
        {
            throw new QueryIndexException($"The query index could not run a {query.Level} query: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Builds the SELECT for a query. Column names come from the switch below, values only ever
    /// through parameters (@p0, @p1 …), so nothing a client sends becomes SQL text.
    /// </summary>
    private sealed class QuerySql(SqliteCommand command)
    {
        private readonly StringBuilder _sql = new();
        private int _parameters;

        public void Build(QidoQuery query)
        {
            _sql.Append("SELECT st.attributes_json, st.series_count, st.instance_count, st.modalities");
            if (query.Level != QueryLevel.Study)
                _sql.Append(", se.attributes_json, se.instance_count");
            if (query.Level == QueryLevel.Instance)
                _sql.Append(", i.attributes_json");
            // Every join repeats the tenant, so a row of another tenant can never be joined in.
            _sql.Append(query.Level switch
            {
                QueryLevel.Study => " FROM studies st WHERE st.tenant = @tenant",
                QueryLevel.Series => " FROM series se JOIN studies st ON st.tenant = se.tenant AND st.study_uid = se.study_uid WHERE se.tenant = @tenant",
                _ => " FROM instances i JOIN series se ON se.tenant = i.tenant AND se.study_uid = i.study_uid AND se.series_uid = i.series_uid"
                    + " JOIN studies st ON st.tenant = i.tenant AND st.study_uid = i.study_uid WHERE i.tenant = @tenant",
            });
            command.Parameters.AddWithValue("@tenant", query.TenantId);
            if (query.StudyInstanceUid is not null)
                _sql.Append(" AND ").Append(query.Level == QueryLevel.Series ? "se" : "i").Append(".study_uid = ").Append(Parameter(query.StudyInstanceUid));
            if (query.SeriesInstanceUid is not null)
                _sql.Append(" AND i.series_uid = ").Append(Parameter(query.SeriesInstanceUid));
            foreach (var match in query.Matches)
            {
                _sql.Append(" AND ");
                Condition(match, query.FuzzyMatching);
            }
            // Newest studies first; series and instances by number; UIDs make the order total, so pages never overlap.
            _sql.Append(" ORDER BY ");
            if (query.Level == QueryLevel.Study || query.StudyInstanceUid is null)
                _sql.Append("st.study_date DESC, st.study_time DESC, st.study_uid, ");
            if (query.Level != QueryLevel.Study && query.SeriesInstanceUid is null)
                _sql.Append("se.series_number, se.series_uid, ");
            if (query.Level == QueryLevel.Instance)
                _sql.Append("i.instance_number, i.sop_uid, ");
            _sql.Length -= 2;
            _sql.Append(" LIMIT ").Append(Parameter(query.Limit + 1)).Append(" OFFSET ").Append(Parameter(query.Offset));
            command.CommandText = _sql.ToString();
        }

        private void Condition(QidoMatch match, bool fuzzy)
        {
            switch (match)
            {
                case QidoPersonNameMatch name:
                    PersonName(name, fuzzy);
                    break;
                case QidoRangeMatch range:
                    var column = Column(range.Tag);
                    // An empty value never matches a range (PS3.4 C.2.2.2.5), and '' would sort below any lower bound.
                    _sql.Append('(').Append(column).Append(" <> ''");
                    if (range.Lower is not null)
                        _sql.Append(" AND ").Append(column).Append(" >= ").Append(Parameter(range.Lower));
                    if (range.Upper is not null)
                        _sql.Append(" AND ").Append(column).Append(" <= ").Append(Parameter(range.Upper));
                    _sql.Append(')');
                    break;
                case QidoIntegerMatch integer:
                    _sql.Append(Column(integer.Tag)).Append(" = ").Append(Parameter(integer.Value));
                    break;
                case QidoValueMatch values when values.Tag == DicomTag.ModalitiesInStudy:
                    // A study matches when any of its series has one of the modalities: the series rows are few.
                    _sql.Append("EXISTS (SELECT 1 FROM series ms WHERE ms.tenant = st.tenant AND ms.study_uid = st.study_uid AND ");
                    AnyOf("ms.modality", values.Values);
                    _sql.Append(')');
                    break;
                case QidoValueMatch values:
                    AnyOf(Column(values.Tag), values.Values);
                    break;
                default:
                    throw new InvalidOperationException($"No SQL for {match.GetType().Name}.");
            }
        }

        private void AnyOf(string column, IReadOnlyList<string> values)
        {
            _sql.Append('(');
            for (var i = 0; i < values.Count; i++)
            {
                if (i > 0)
                    _sql.Append(" OR ");
                Compare(column, values[i]);
            }
            _sql.Append(')');
        }

        private void Compare(string column, string value)
        {
            if (HasWildcard(value))
                _sql.Append(column).Append(" GLOB ").Append(Parameter(ToGlob(value)));
            else
                _sql.Append(column).Append(" = ").Append(Parameter(value));
        }

        private void PersonName(QidoPersonNameMatch match, bool fuzzy)
        {
            var prefix = match.Tag == DicomTag.PatientName ? "st.patient_name" : "st.referring_physician_name";
            string[] columns = match.MatchesWholeName
                ? [prefix + "_key"]
                : [prefix + "_alphabetic", prefix + "_ideographic", prefix + "_phonetic"];
            _sql.Append('(');
            var first = true;
            foreach (var column in columns)
            {
                if (!first)
                    _sql.Append(" OR ");
                first = false;
                if (fuzzy)
                {
                    // The pattern may start any component: at the start of the group or after a '^'.
                    var glob = ToGlob(match.Pattern);
                    _sql.Append(column).Append(" GLOB ").Append(Parameter(glob + "*"))
                        .Append(" OR ").Append(column).Append(" GLOB ").Append(Parameter("*^" + glob + "*"));
                }
                else
                {
                    Compare(column, match.Pattern);
                }
            }
            _sql.Append(')');
        }

        private string Parameter(object value)
        {
            var name = "@p" + _parameters++;
            command.Parameters.AddWithValue(name, value);
            return name;
        }

        private static bool HasWildcard(string value) => value.AsSpan().IndexOfAny('*', '?') >= 0;

        /// <summary>
        /// DICOM wildcards to a GLOB pattern: '*' and '?' mean the same in both. GLOB's only other
        /// special character is '[', written as the class "[[]"; '%' and '_' are plain characters in GLOB.
        /// </summary>
        internal static string ToGlob(string value) => value.Replace("[", "[[]", StringComparison.Ordinal);

        private static string Column(DicomTag tag) => tag switch
        {
            _ when tag == DicomTag.StudyDate => "st.study_date",
            _ when tag == DicomTag.StudyTime => "st.study_time",
            _ when tag == DicomTag.AccessionNumber => "st.accession_number",
            _ when tag == DicomTag.PatientID => "st.patient_id",
            _ when tag == DicomTag.PatientBirthDate => "st.patient_birth_date",
            _ when tag == DicomTag.PatientSex => "st.patient_sex",
            _ when tag == DicomTag.StudyInstanceUID => "st.study_uid",
            _ when tag == DicomTag.StudyID => "st.study_id",
            _ when tag == DicomTag.StudyDescription => "st.study_description",
            _ when tag == DicomTag.Modality => "se.modality",
            _ when tag == DicomTag.SeriesInstanceUID => "se.series_uid",
            _ when tag == DicomTag.SeriesNumber => "se.series_number",
            _ when tag == DicomTag.SeriesDescription => "se.series_description",
            _ when tag == DicomTag.BodyPartExamined => "se.body_part_examined",
            _ when tag == DicomTag.PerformedProcedureStepStartDate => "se.pps_start_date",
            _ when tag == DicomTag.PerformedProcedureStepStartTime => "se.pps_start_time",
            _ when tag == DicomTag.SOPClassUID => "i.sop_class_uid",
            _ when tag == DicomTag.SOPInstanceUID => "i.sop_uid",
            _ when tag == DicomTag.InstanceNumber => "i.instance_number",
            _ => throw new InvalidOperationException($"No column for {tag}."),
        };
    }
}
