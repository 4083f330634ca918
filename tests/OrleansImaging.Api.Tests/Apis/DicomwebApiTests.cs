using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansImaging.Contracts;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Contracts.Studies;
using OrleansImaging.Dicom;
using OrleansImaging.Dicom.Json;

namespace OrleansImaging.Api.Tests.Apis;

/// <summary>QIDO-RS and WADO-RS metadata over HTTP: the caller's tenant only, the study policy, errors naming the parameter.</summary>
[Collection(ApiCollection.Name)]
public sealed class DicomwebApiTests(ApiFactory factory)
{
    [Fact]
    public async Task SearchStudies_ByChinesePatientNameWildcard_FindsTheStudyWithCounts()
    {
        await factory.CreateTenantAsync("qido-a");
        var study = await StoreAsync("qido-a", "王^小东", instances: 2);
        var (_, token) = await factory.CreateTokenAsync("qido-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var response = await client.GetAsync("/dicomweb/studies?PatientName=" + Uri.EscapeDataString("王*") + "&StudyInstanceUID=" + study);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var match = Assert.Single(body.RootElement.EnumerateArray());
        Assert.Equal(study, match.GetProperty("0020000D").GetProperty("Value")[0].GetString());
        Assert.Equal(2, match.GetProperty("00201208").GetProperty("Value")[0].GetInt32());
    }

    [Fact]
    public async Task SearchInstances_UnderAStudy_ListsThem()
    {
        await factory.CreateTenantAsync("qido-a");
        var study = await StoreAsync("qido-a", "DOE^JANE", instances: 3);
        var (_, token) = await factory.CreateTokenAsync("qido-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        using var body = JsonDocument.Parse(await client.GetStringAsync($"/dicomweb/studies/{study}/instances"));

        Assert.Equal(3, body.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task SearchStudies_OtherHospitalsToken_SeesNothing_S3_2()
    {
        await factory.CreateTenantAsync("qido-a");
        await factory.CreateTenantAsync("qido-b");
        var study = await StoreAsync("qido-a", "DOE^JOHN", instances: 1);
        var (_, token) = await factory.CreateTokenAsync("qido-b", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var body = await client.GetStringAsync("/dicomweb/studies?StudyInstanceUID=" + study);

        Assert.Equal("[]", body);
    }

    [Fact]
    public async Task SearchStudies_WriteOnlyToken_Forbidden_S3_1()
    {
        await factory.CreateTenantAsync("qido-a");
        var (_, token) = await factory.CreateTokenAsync("qido-a", Scopes.DicomwebWrite);
        using var client = factory.CreateClient(token);

        var response = await client.GetAsync("/dicomweb/studies");

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Theory]
    [InlineData("StudyDate=20240102-20230101", "StudyDate")]
    [InlineData("NoSuchAttribute=1", "NoSuchAttribute")]
    [InlineData("limit=-1", "limit")]
    public async Task SearchStudies_BadParameter_400NamingIt(string query, string named)
    {
        await factory.CreateTenantAsync("qido-a");
        var (_, token) = await factory.CreateTokenAsync("qido-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var response = await client.GetAsync("/dicomweb/studies?" + query);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(named, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SearchStudies_NoToken_401_S7_2()
    {
        using var client = factory.CreateClient();

        var response = await client.GetAsync("/dicomweb/studies");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task StudyMetadata_OwnStudy_EveryInstanceWithoutOpeningObjects()
    {
        await factory.CreateTenantAsync("qido-a");
        var study = await StoreAsync("qido-a", "DOE^JANE", instances: 3);
        var (_, token) = await factory.CreateTokenAsync("qido-a", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var response = await client.GetAsync($"/dicomweb/studies/{study}/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(3, body.RootElement.GetArrayLength());
        Assert.All(body.RootElement.EnumerateArray(), i => Assert.Equal(study, i.GetProperty("0020000D").GetProperty("Value")[0].GetString()));
    }

    [Fact]
    public async Task StudyMetadata_OtherHospitalsStudyOrUnknown_SameNotFound_S3_2()
    {
        await factory.CreateTenantAsync("qido-a");
        await factory.CreateTenantAsync("qido-b");
        var study = await StoreAsync("qido-a", "DOE^JOHN", instances: 1);
        var (_, token) = await factory.CreateTokenAsync("qido-b", Scopes.DicomwebRead);
        using var client = factory.CreateClient(token);

        var other = await client.GetAsync($"/dicomweb/studies/{study}/metadata");
        var unknown = await client.GetAsync("/dicomweb/studies/1.2.3.4.5/metadata");

        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(Strip(await unknown.Content.ReadAsStringAsync()), Strip(await other.Content.ReadAsStringAsync()));
    }

    /// <summary>Removes the per-request trace id so two problem bodies can be compared.</summary>
    private static string Strip(string problem) => System.Text.RegularExpressions.Regex.Replace(problem, "\"traceId\":\"[^\"]*\"", "");

    /// <summary>Records a study through the study grain as a System caller of the tenant (STOW-RS is not there yet).</summary>
    private async Task<string> StoreAsync(string tenant, string patientName, int instances)
    {
        var study = "2.25." + BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
        var series = study + ".1";
        var grains = factory.Services.GetRequiredService<IGrainFactory>();
        var batch = new List<NewInstance>();
        for (var n = 1; n <= instances; n++)
        {
            var sop = $"{series}.{n}";
            var header = new DicomDataset()
                .Add(DicomTag.SpecificCharacterSet, "ISO_IR 192")
                .Add(DicomTag.SOPClassUID, "1.2.840.10008.5.1.4.1.1.2")
                .Add(DicomTag.SOPInstanceUID, sop)
                .Add(DicomTag.StudyDate, "20240115")
                .Add(DicomTag.Modality, "CT")
                .Add(DicomTag.PatientName, patientName)
                .Add(DicomTag.PatientID, "P-" + study[^6..])
                .Add(DicomTag.StudyInstanceUID, study)
                .Add(DicomTag.SeriesInstanceUID, series)
                .Add(DicomTag.InstanceNumber, n.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var sha = Convert.ToHexStringLower(SHA256.HashData(Encoding.ASCII.GetBytes(sop)));
            batch.Add(new NewInstance(series, sop, "1.2.840.10008.5.1.4.1.1.2", "1.2.840.10008.1.2.1", $"{tenant}/{study}/{sop}", 1000, sha,
                Encoding.UTF8.GetBytes(DicomJson.Serialize(header))));
        }
        using (CallerContext.Use(new Caller(CallerKind.System, "test-ingest", tenant, CallerRole.None, [])))
        {
            var outcomes = await grains.GetGrain<IStudyGrain>(GrainKeys.Study(tenant, study)).AddInstancesAsync(batch);
            Assert.All(outcomes, o => Assert.Equal(InstanceStatus.Stored, o.Status));
        }
        return study;
    }
}
