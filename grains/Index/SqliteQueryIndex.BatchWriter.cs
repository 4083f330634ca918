using Microsoft.Data.Sqlite;

namespace OrleansImaging.Grains.Index;

public sealed partial class SqliteQueryIndex
{
    /// <summary>
    /// Writes one batch inside the caller's transaction: instance rows first (noting where each
    /// instance was before, so a repeat counts nothing and a move counts in its new series only),
    /// then the series rows and their counts, then the studies' attributes and aggregates, read from
    /// the study's series rows (a handful) rather than from its instances (thousands). Statements are
    /// prepared once per batch and reused with new parameter values.
    /// </summary>
    private sealed class BatchWriter(SqliteConnection connection, SqliteTransaction transaction)
    {
        private readonly record struct SeriesKey(string Tenant, string Study, string Series);

        private readonly record struct StudyKey(string Tenant, string Study);

        public async Task WriteAsync(IReadOnlyList<IndexedInstance> batch, CancellationToken cancellationToken)
        {
            // The last copy of an instance in a batch wins, as if the copies had come one after another.
            var instances = new Dictionary<(string Tenant, string Sop), IndexedInstance>();
            foreach (var instance in batch)
                instances[(instance.TenantId, instance.SopInstanceUid)] = instance;

            var deltas = new Dictionary<SeriesKey, int>();
            var latestOfSeries = new Dictionary<SeriesKey, IndexedInstance>();
            var latestOfStudy = new Dictionary<StudyKey, IndexedInstance>();
            var shrunkStudies = new HashSet<StudyKey>();

            await using (var find = Command("SELECT study_uid, series_uid FROM instances WHERE tenant = @tenant AND sop_uid = @sop", "@tenant", "@sop"))
            await using (var upsert = Command(UpsertInstance, InstanceParameters))
            {
                foreach (var instance in instances.Values)
                {
                    var key = new SeriesKey(instance.TenantId, instance.StudyInstanceUid, instance.SeriesInstanceUid);
                    latestOfSeries[key] = instance;
                    latestOfStudy[new StudyKey(instance.TenantId, instance.StudyInstanceUid)] = instance;

                    find.Parameters["@tenant"].Value = instance.TenantId;
                    find.Parameters["@sop"].Value = instance.SopInstanceUid;
                    SeriesKey? previous = null;
                    await using (var reader = await find.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                            previous = new SeriesKey(instance.TenantId, reader.GetString(0), reader.GetString(1));
                    }
                    if (previous != key)
                    {
                        deltas[key] = deltas.GetValueOrDefault(key) + 1;
                        if (previous is { } moved)
                        {
                            deltas[moved] = deltas.GetValueOrDefault(moved) - 1;
                            shrunkStudies.Add(new StudyKey(moved.Tenant, moved.Study));
                        }
                    }
                    SetInstance(upsert, instance);
                    await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }

            await using (var upsert = Command(UpsertSeries, SeriesParameters))
            {
                foreach (var instance in latestOfSeries.Values)
                {
                    SetSeries(upsert, instance);
                    await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            await using (var count = Command(
                "UPDATE series SET instance_count = instance_count + @delta WHERE tenant = @tenant AND study_uid = @study AND series_uid = @series",
                "@delta", "@tenant", "@study", "@series"))
            await using (var dropEmpty = Command(
                "DELETE FROM series WHERE tenant = @tenant AND study_uid = @study AND series_uid = @series AND instance_count <= 0",
                "@tenant", "@study", "@series"))
            {
                foreach (var (key, delta) in deltas)
                {
                    if (delta == 0)
                        continue;
                    count.Parameters["@delta"].Value = delta;
                    await ExecuteForSeriesAsync(count, key, cancellationToken).ConfigureAwait(false);
                    if (delta < 0)
                        await ExecuteForSeriesAsync(dropEmpty, key, cancellationToken).ConfigureAwait(false);
                }
            }

            await using (var upsert = Command(UpsertStudy, StudyParameters))
            {
                foreach (var instance in latestOfStudy.Values)
                {
                    SetStudy(upsert, instance);
                    await upsert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            await using (var aggregate = Command(UpdateStudyAggregates, "@tenant", "@study"))
            await using (var dropEmpty = Command("DELETE FROM studies WHERE tenant = @tenant AND study_uid = @study AND series_count = 0", "@tenant", "@study"))
            {
                foreach (var study in latestOfStudy.Keys.Union(shrunkStudies))
                {
                    await ExecuteForStudyAsync(aggregate, study, cancellationToken).ConfigureAwait(false);
                    if (shrunkStudies.Contains(study))
                        await ExecuteForStudyAsync(dropEmpty, study, cancellationToken).ConfigureAwait(false);
                }
            }
        }

        private static Task<int> ExecuteForSeriesAsync(SqliteCommand command, SeriesKey key, CancellationToken cancellationToken)
        {
            command.Parameters["@tenant"].Value = key.Tenant;
            command.Parameters["@study"].Value = key.Study;
            command.Parameters["@series"].Value = key.Series;
            return command.ExecuteNonQueryAsync(cancellationToken);
        }

        private static Task<int> ExecuteForStudyAsync(SqliteCommand command, StudyKey key, CancellationToken cancellationToken)
        {
            command.Parameters["@tenant"].Value = key.Tenant;
            command.Parameters["@study"].Value = key.Study;
            return command.ExecuteNonQueryAsync(cancellationToken);
        }

        private SqliteCommand Command(string sql, params string[] parameters)
        {
            var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sql;
            foreach (var name in parameters)
                command.Parameters.Add(new SqliteParameter { ParameterName = name });
            command.Prepare();
            return command;
        }

        private static void Set(SqliteCommand command, string name, object? value) =>
            command.Parameters[name].Value = value ?? DBNull.Value;

        private static readonly string[] InstanceParameters =
        [
            "@tenant", "@study", "@series", "@sop", "@sop_class", "@instance_number", "@rows", "@columns", "@bits",
            "@frames", "@transfer_syntax", "@blob_key", "@size", "@sha256", "@json",
        ];

        private const string UpsertInstance = """
            INSERT INTO instances (tenant, study_uid, series_uid, sop_uid, sop_class_uid, instance_number, row_count, column_count,
                bits_allocated, number_of_frames, transfer_syntax_uid, blob_key, size, sha256, attributes_json)
            VALUES (@tenant, @study, @series, @sop, @sop_class, @instance_number, @rows, @columns,
                @bits, @frames, @transfer_syntax, @blob_key, @size, @sha256, @json)
            ON CONFLICT (tenant, sop_uid) DO UPDATE SET
                study_uid = excluded.study_uid, series_uid = excluded.series_uid, sop_class_uid = excluded.sop_class_uid,
                instance_number = excluded.instance_number, row_count = excluded.row_count, column_count = excluded.column_count,
                bits_allocated = excluded.bits_allocated, number_of_frames = excluded.number_of_frames,
                transfer_syntax_uid = excluded.transfer_syntax_uid, blob_key = excluded.blob_key, size = excluded.size,
                sha256 = excluded.sha256, attributes_json = excluded.attributes_json
            """;

        private static void SetInstance(SqliteCommand command, IndexedInstance instance)
        {
            Set(command, "@tenant", instance.TenantId);
            Set(command, "@study", instance.StudyInstanceUid);
            Set(command, "@series", instance.SeriesInstanceUid);
            Set(command, "@sop", instance.SopInstanceUid);
            Set(command, "@sop_class", instance.SopClassUid);
            Set(command, "@instance_number", instance.InstanceNumber);
            Set(command, "@rows", instance.Rows);
            Set(command, "@columns", instance.Columns);
            Set(command, "@bits", instance.BitsAllocated);
            Set(command, "@frames", instance.NumberOfFrames);
            Set(command, "@transfer_syntax", instance.TransferSyntaxUid);
            Set(command, "@blob_key", instance.BlobKey);
            Set(command, "@size", instance.Size);
            Set(command, "@sha256", instance.Sha256);
            Set(command, "@json", instance.InstanceJson);
        }

        private static readonly string[] SeriesParameters =
        [
            "@tenant", "@study", "@series", "@modality", "@series_number", "@description", "@body_part", "@pps_date", "@pps_time", "@json",
        ];

        private const string UpsertSeries = """
            INSERT INTO series (tenant, study_uid, series_uid, modality, series_number, series_description, body_part_examined,
                pps_start_date, pps_start_time, attributes_json)
            VALUES (@tenant, @study, @series, @modality, @series_number, @description, @body_part, @pps_date, @pps_time, @json)
            ON CONFLICT (tenant, study_uid, series_uid) DO UPDATE SET
                modality = excluded.modality, series_number = excluded.series_number, series_description = excluded.series_description,
                body_part_examined = excluded.body_part_examined, pps_start_date = excluded.pps_start_date,
                pps_start_time = excluded.pps_start_time, attributes_json = excluded.attributes_json
            """;

        private static void SetSeries(SqliteCommand command, IndexedInstance instance)
        {
            Set(command, "@tenant", instance.TenantId);
            Set(command, "@study", instance.StudyInstanceUid);
            Set(command, "@series", instance.SeriesInstanceUid);
            Set(command, "@modality", instance.Modality);
            Set(command, "@series_number", instance.SeriesNumber);
            Set(command, "@description", instance.SeriesDescription);
            Set(command, "@body_part", instance.BodyPartExamined);
            Set(command, "@pps_date", instance.PerformedProcedureStepStartDate);
            Set(command, "@pps_time", instance.PerformedProcedureStepStartTime);
            Set(command, "@json", instance.SeriesJson);
        }

        private static readonly string[] StudyParameters =
        [
            "@tenant", "@study", "@patient_id", "@pn", "@pn_key", "@pn_a", "@pn_i", "@pn_p", "@birth_date", "@sex",
            "@study_date", "@study_time", "@accession", "@study_id", "@description",
            "@ref", "@ref_key", "@ref_a", "@ref_i", "@ref_p", "@json",
        ];

        private const string UpsertStudy = """
            INSERT INTO studies (tenant, study_uid, patient_id, patient_name, patient_name_key, patient_name_alphabetic,
                patient_name_ideographic, patient_name_phonetic, patient_birth_date, patient_sex, study_date, study_time,
                accession_number, study_id, study_description, referring_physician_name, referring_physician_name_key,
                referring_physician_name_alphabetic, referring_physician_name_ideographic, referring_physician_name_phonetic,
                attributes_json)
            VALUES (@tenant, @study, @patient_id, @pn, @pn_key, @pn_a, @pn_i, @pn_p, @birth_date, @sex, @study_date, @study_time,
                @accession, @study_id, @description, @ref, @ref_key, @ref_a, @ref_i, @ref_p, @json)
            ON CONFLICT (tenant, study_uid) DO UPDATE SET
                patient_id = excluded.patient_id, patient_name = excluded.patient_name, patient_name_key = excluded.patient_name_key,
                patient_name_alphabetic = excluded.patient_name_alphabetic, patient_name_ideographic = excluded.patient_name_ideographic,
                patient_name_phonetic = excluded.patient_name_phonetic, patient_birth_date = excluded.patient_birth_date,
                patient_sex = excluded.patient_sex, study_date = excluded.study_date, study_time = excluded.study_time,
                accession_number = excluded.accession_number, study_id = excluded.study_id, study_description = excluded.study_description,
                referring_physician_name = excluded.referring_physician_name,
                referring_physician_name_key = excluded.referring_physician_name_key,
                referring_physician_name_alphabetic = excluded.referring_physician_name_alphabetic,
                referring_physician_name_ideographic = excluded.referring_physician_name_ideographic,
                referring_physician_name_phonetic = excluded.referring_physician_name_phonetic,
                attributes_json = excluded.attributes_json
            """;

        private static void SetStudy(SqliteCommand command, IndexedInstance instance)
        {
            var patient = PersonNameColumns(instance.PatientName);
            var referring = PersonNameColumns(instance.ReferringPhysicianName);
            Set(command, "@tenant", instance.TenantId);
            Set(command, "@study", instance.StudyInstanceUid);
            Set(command, "@patient_id", instance.PatientId);
            Set(command, "@pn", patient.Raw);
            Set(command, "@pn_key", patient.Key);
            Set(command, "@pn_a", patient.Alphabetic);
            Set(command, "@pn_i", patient.Ideographic);
            Set(command, "@pn_p", patient.Phonetic);
            Set(command, "@birth_date", instance.PatientBirthDate);
            Set(command, "@sex", instance.PatientSex);
            Set(command, "@study_date", instance.StudyDate);
            Set(command, "@study_time", instance.StudyTime);
            Set(command, "@accession", instance.AccessionNumber);
            Set(command, "@study_id", instance.StudyId);
            Set(command, "@description", instance.StudyDescription);
            Set(command, "@ref", referring.Raw);
            Set(command, "@ref_key", referring.Key);
            Set(command, "@ref_a", referring.Alphabetic);
            Set(command, "@ref_i", referring.Ideographic);
            Set(command, "@ref_p", referring.Phonetic);
            Set(command, "@json", instance.StudyJson);
        }

        // From the study's series rows: a few rows whatever the number of instances.
        private const string UpdateStudyAggregates = """
            UPDATE studies SET
                series_count = (SELECT COUNT(*) FROM series s WHERE s.tenant = @tenant AND s.study_uid = @study),
                instance_count = (SELECT COALESCE(SUM(s.instance_count), 0) FROM series s WHERE s.tenant = @tenant AND s.study_uid = @study),
                modalities = COALESCE((SELECT group_concat(m.modality, '\') FROM
                    (SELECT DISTINCT s.modality FROM series s WHERE s.tenant = @tenant AND s.study_uid = @study AND s.modality <> '' ORDER BY s.modality) m), '')
            WHERE tenant = @tenant AND study_uid = @study
            """;
    }
}
