using System.Globalization;
using System.Security.Cryptography;
using OrleansImaging.Contracts.Callers;
using OrleansImaging.Dicom;

namespace OrleansImaging.Api.Tests.Peers;

/// <summary>
/// Orthanc (Debian's 1.10 with the DICOMweb plugin 1.7) as a real DICOMweb client of the api running as
/// <c>./imaging start</c> runs it: it pushes a study with STOW-RS over TLS that trusts our generated certificate, finds it
/// with QIDO-RS, and pulls it back with WADO-RS — and the objects it ends up with are the bytes it was given.
/// </summary>
public sealed class OrthancDicomwebClientTests : IAsyncLifetime
{
    private const string ServerName = "imaging";
    private readonly string _data = Directory.CreateTempSubdirectory("imaging-orthanc-peer-").FullName;
    private ApiProcess? _api;
    private OrthancProcess? _orthanc;
    private string _token = "";

    [Fact]
    public async Task OrthancClient_StowOverVerifiedTlsThenQido_FindsEveryInstanceItPushed_S11_1()
    {
        var orthanc = _orthanc!;
        var pushed = await UploadAndPushAsync(orthanc);
        var studies = pushed.Select(u => u.Study).Distinct().Order(StringComparer.Ordinal).ToList();

        // QIDO-RS through Orthanc's client: /qido re-renders our DICOM JSON in Orthanc's own shape (a scalar "Value").
        var found = (await orthanc.PostJsonAsync($"dicom-web/servers/{ServerName}/qido", new { Uri = "/studies" })).AsArray();
        Assert.Equal(studies, found.Select(s => (string)s!["0020000D"]!["Value"]!).Order(StringComparer.Ordinal));
        foreach (var study in studies)
        {
            // /get passes the answer through untouched: plain PS3.18 DICOM JSON.
            var instances = (await orthanc.PostJsonAsync($"dicom-web/servers/{ServerName}/get", new { Uri = $"/studies/{study}/instances" })).AsArray();
            Assert.Equal(
                pushed.Where(u => u.Study == study).Select(u => u.Sop).Order(StringComparer.Ordinal),
                instances.Select(i => (string)i!["00080018"]!["Value"]![0]!).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task OrthancClient_RetrieveWhatItPushed_ObjectsComeBackByteIdentical()
    {
        var orthanc = _orthanc!;
        var pushed = await UploadAndPushAsync(orthanc);

        // WADO-RS: empty Orthanc, then have it retrieve everything from us: the generated three-slice study at study level
        // (GET /studies/{study}, three parts in one response), the two corpus instances by their three UIDs.
        foreach (var id in (await orthanc.GetJsonAsync("studies")).AsArray())
            await orthanc.DeleteAsync("studies/" + (string)id!);
        Assert.Empty((await orthanc.GetJsonAsync("instances")).AsArray());
        var retrieve = await orthanc.PostJsonAsync($"dicom-web/servers/{ServerName}/retrieve", new
        {
            Resources = pushed.GroupBy(u => u.Study).SelectMany(study => study.Count() > 1
                ? [new Dictionary<string, string> { ["Study"] = study.Key }]
                : study.Select(u => new Dictionary<string, string> { ["Study"] = u.Study, ["Series"] = u.Series, ["Instance"] = u.Sop })).ToArray(),
        });
        Assert.Equal(pushed.Count.ToString(CultureInfo.InvariantCulture), (string?)retrieve["ReceivedInstancesCount"]);

        foreach (var (bytes, orthancId, _, _, sop) in pushed)
        {
            // Orthanc's ids are hashes of the UIDs: the retrieved copy has the id the original had.
            var back = await orthanc.GetBytesAsync($"instances/{orthancId}/file");
            Assert.True(SHA256.HashData(bytes).AsSpan().SequenceEqual(SHA256.HashData(back)), $"{sop} came back different ({back.Length} bytes, sent {bytes.Length})");
        }
    }

    [Fact]
    public async Task OrthancClient_PushesOtherBytesUnderAStoredSopInstanceUid_PushFailsAndTheFirstObjectStays()
    {
        var orthanc = _orthanc!;
        var pushed = await UploadAndPushAsync(orthanc);
        var (original, orthancId, study, series, sop) = pushed[0];
        await orthanc.DeleteAsync("instances/" + orthancId);
        var altered = original.ToArray();
        altered[^1] ^= 0xFF; // last pixel byte: same UIDs, other content
        await orthanc.PostBytesAsync("instances", altered);
        var other = pushed[1];
        await orthanc.DeleteAsync("instances/" + other.OrthancId); // a second instance goes along and is kept: a 202

        await orthanc.PostBytesAsync("instances", other.Bytes);
        var (status, answer) = await orthanc.TryPostJsonAsync($"dicom-web/servers/{ServerName}/stow",
            new { Resources = new[] { orthancId, other.OrthancId } });

        // Orthanc counts our ReferencedSOPSequence: one of two kept fails its whole job, with a generic 500 (the reason,
        // "only able to receive 1 instances out of 2", is only in its log).
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, status);
        Assert.Contains("only able to receive 1 instances out of 2", orthanc.Log, StringComparison.Ordinal);
        using var client = _api!.CreateClient(_token);
        var back = await new DicomwebTestClient(client).RetrieveInstanceAsync(study, series, sop);
        Assert.True(SHA256.HashData(original).AsSpan().SequenceEqual(SHA256.HashData(back)), "the first object must stay: " + answer);
    }

    /// <summary>
    /// Uploads the originals to Orthanc (REST <c>/instances</c>) and has it push all of them to us with STOW-RS: one
    /// chunked multipart/related request with every instance of the studies named.
    /// </summary>
    private static async Task<List<(byte[] Bytes, string OrthancId, string Study, string Series, string Sop)>> UploadAndPushAsync(OrthancProcess orthanc)
    {
        var uploaded = new List<(byte[] Bytes, string OrthancId, string Study, string Series, string Sop)>();
        foreach (var bytes in Originals())
        {
            var answer = await orthanc.PostBytesAsync("instances", bytes);
            Assert.Equal("Success", (string?)answer["Status"]);
            var dataset = DicomFile.Parse(bytes).Dataset;
            uploaded.Add((bytes, (string)answer["ID"]!, dataset.Get<string>(DicomTag.StudyInstanceUID), dataset.Get<string>(DicomTag.SeriesInstanceUID), dataset.Get<string>(DicomTag.SOPInstanceUID)));
        }
        var orthancStudies = (await orthanc.GetJsonAsync("studies")).AsArray().Select(s => (string)s!).ToList();
        var stow = await orthanc.PostJsonAsync($"dicom-web/servers/{ServerName}/stow", new { Resources = orthancStudies });
        Assert.Equal(uploaded.Count.ToString(CultureInfo.InvariantCulture), (string?)stow["InstancesCount"]);
        return uploaded;
    }

    /// <summary>Two corpus files (a CT and an MR study nobody here wrote) and a generated three-slice CT study.</summary>
    private static List<byte[]> Originals() =>
    [
        File.ReadAllBytes(PydicomCorpus.TestFile("CT_small.dcm")),
        File.ReadAllBytes(PydicomCorpus.TestFile("MR_small.dcm")),
        .. SyntheticCt.Series(3, "ORTHANC^PEER").Select(i => i.Bytes),
    ];

    public async Task InitializeAsync()
    {
        _api = await ApiProcess.StartAsync(_data);
        _token = await _api.CreateTenantAndTokenAsync("orthanc-peer", Scopes.DicomwebRead, Scopes.DicomwebWrite);
        _orthanc = await OrthancProcess.StartAsync(ServerName, new Uri(_api.BaseAddress, "dicomweb/"), _token, _api.CertificatePath);
    }

    public async Task DisposeAsync()
    {
        if (_orthanc is not null)
            await _orthanc.DisposeAsync();
        if (_api is not null)
            await _api.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}
