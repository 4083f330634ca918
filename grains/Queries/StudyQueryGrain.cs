using System.Text.Json;
using Orleans.Concurrency;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Errors;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom.Json;
using OrleansImaging.Grains.Authorization;
using OrleansImaging.Grains.Index;

namespace OrleansImaging.Grains.Queries;

/// <summary>
/// QIDO-RS for one tenant. Stateless: every activation reads the same query index, so searches spread over the
/// silo's threads; the tenant comes from the grain key, which the api takes from the authenticated caller, and
/// the study policy decides from that caller whether the tenant's studies may be searched at all.
/// </summary>
[StatelessWorker]
public sealed class StudyQueryGrain(IQueryIndex index) : Grain, IStudyQueryGrain
{
    /// <inheritdoc/>
    public async Task<QidoResponse> SearchAsync(QidoRequest request)
    {
        var caller = Access.CurrentCaller();
        var tenantId = this.GetPrimaryKeyString();
        if (!GrainKeys.IsValidTenantId(tenantId))
        {
            throw new NotFoundException("Not found.");
        }
        // Searching is reading: another tenant's caller learns nothing, not even whether the tenant exists.
        Access.Demand(StudyAccess.Decide(caller, tenantId, StudyAction.Read), "Study");
        ArgumentNullException.ThrowIfNull(request);

        QidoQuery query;
        try
        {
            query = QidoQuery.Parse(tenantId, ToLevel(request.Level), request.Parameters, request.StudyInstanceUid, request.SeriesInstanceUid);
        }
        catch (QidoQueryException ex)
        {
            throw new InvalidRequestException(ex.Message);
        }
        var result = await index.QueryAsync(query, CancellationToken.None);
        return new QidoResponse(Serialize(result), result.Matches.Count, result.HasMore,
            query.LimitWasCapped ? $"The limit was lowered to {QidoQuery.MaxLimit}." : null);
    }

    private static byte[] Serialize(QueryResult result)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, DicomJson.CreateWriterOptions(indented: false)))
        {
            var json = new DicomJsonWriter(DicomJsonOptions.Default);
            writer.WriteStartArray();
            foreach (var match in result.Matches)
            {
                json.Write(writer, match);
            }
            writer.WriteEndArray();
        }
        return buffer.ToArray();
    }

    private static QueryLevel ToLevel(QidoLevel level) => level switch
    {
        QidoLevel.Study => QueryLevel.Study,
        QidoLevel.Series => QueryLevel.Series,
        _ => QueryLevel.Instance,
    };
}
