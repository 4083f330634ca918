using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansImaging.LoadTests.Ingest;

namespace OrleansImaging.LoadTests.Dimse;

/// <summary>
/// `./imaging bench dimse`: dcmtk's storescu sends the synthetic CT corpus (the ingest benchmark's, 0.5 MB explicit VR
/// little endian slices) over 1 and 4 associations to the edge (`./imaging edge start`, spooling to disk with fsync)
/// twice: alone (no cloud reachable, so the uploader only waits, as when the edge has its own machine) and uploading
/// to a local api over HTTPS on the same cores; then, in the same run, to Orthanc (Debian's) as the reference SCP.
/// Every SCP gets a warm-up first. It reports instances/s at the SCP (storescu's wall time: every C-STORE answered),
/// end to end for the uploading edge (until QIDO-RS on the cloud counts every instance), each process's CPU per
/// instance, and the ratios the targets are stated in.
/// </summary>
internal static class DimseBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var quick = args.Contains("--quick");
        var files = quick ? 100 : 400;
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", ".."));
        var cache = Environment.GetEnvironmentVariable("IMAGING_SYNTHETIC_CORPUS") is { Length: > 0 } configured ? configured : Path.Combine(root, ".corpus", "synthetic-ct");
        // Distinct UIDs per row, so the cloud never answers "already stored" for a row's instances.
        var one = SyntheticCtCorpus.LoadOrCreate(cache, files, 2, Console.Error);
        var four = SyntheticCtCorpus.LoadOrCreate(cache, files, 8, Console.Error);
        var orthancOne = SyntheticCtCorpus.LoadOrCreate(cache, files, 3, Console.Error);
        var orthancFour = SyntheticCtCorpus.LoadOrCreate(cache, files, 9, Console.Error);
        var warmUp = SyntheticCtCorpus.LoadOrCreate(cache, 100, 1, Console.Error).Take(40).ToList();
        foreach (var file in one.Concat(four).Concat(orthancOne).Concat(orthancFour).Concat(warmUp))
            _ = await File.ReadAllBytesAsync(file.Path); // page cache: the SCPs are measured, not the corpus disk

        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        var apiDll = Path.Combine(root, "api", "bin", configuration, "net10.0", "OrleansImaging.Api.dll");
        var edgeDll = Path.Combine(root, "edge", "OrleansImaging.Edge", "bin", configuration, "net10.0", "OrleansImaging.Edge.dll");
        var work = Directory.CreateTempSubdirectory("orleans-imaging-bench-dimse-").FullName;
        Console.WriteLine(Invariant($"{RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, .NET {Environment.Version}; {files} synthetic CT files of {one[0].Length / 1024} KiB per row; storescu (dcmtk) on the same machine; each SCP warmed up with {warmUp.Count} instances first"));
        Console.WriteLine();
        Console.WriteLine("| SCP | associations | instances/s at the SCP | end to end to the cloud | CPU ms per instance |");
        Console.WriteLine("|---|---:|---:|---:|---|");
        var atScp = new Dictionary<(string Scp, int Associations), double>();
        try
        {
            // The edge alone: its cloud is a closed port, so the uploader only waits and the SCP has the machine (with
            // storescu), as on a hospital's own edge machine. Same corpora as the cloud rows, another spool.
            var alonePort = FreePort();
            using (var alone = StartEdge(edgeDll, new Uri(Invariant($"https://127.0.0.1:{FreePort()}/")), "unreachable", null, alonePort, Path.Combine(work, "spool-alone")))
            {
                try
                {
                    await WaitListeningAsync(alonePort, TimeSpan.FromSeconds(60));
                    await StorescuAsync("EDGE", alonePort, warmUp, 1);
                    foreach (var (corpus, associations) in new[] { (one, 1), (four, 4) })
                    {
                        var cpu = CpuTime(alone);
                        var clock = Stopwatch.StartNew();
                        await StorescuAsync("EDGE", alonePort, corpus, associations);
                        var rate = corpus.Count / clock.Elapsed.TotalSeconds;
                        atScp[("edge", associations)] = rate;
                        Console.WriteLine(Invariant($"| edge alone (spool fsync; the uploader waits: no cloud reachable) | {associations} | {rate:F0} | — | edge {PerInstance(CpuTime(alone) - cpu, corpus.Count)} |"));
                    }
                }
                finally
                {
                    alone.Kill();
                    await alone.WaitForExitAsync();
                }
            }

            var endToEnd = new Dictionary<int, double>();
            await using (var api = await ImagingServerProcess.StartAsync(apiDll, https: true, new Dictionary<string, string>(), TimeSpan.FromSeconds(120)))
            {
                var token = await api.CreateTenantAndTokenAsync("bench-dimse-" + Guid.NewGuid().ToString("N")[..8]);
                var certificate = Path.Combine(api.DataDirectory, "tls", "server.crt");
                var port = FreePort();
                using var edge = StartEdge(edgeDll, api.BaseAddress, token, certificate, port, Path.Combine(work, "spool"));
                try
                {
                    await WaitListeningAsync(port, TimeSpan.FromSeconds(60));
                    using var client = api.CreateClient(maxConnections: 2);
                    var doneLog = Path.Combine(work, "spool", "done.log");
                    await StorescuAsync("EDGE", port, warmUp, 1);
                    await WaitInCloudAsync(client, token, warmUp, doneLog, 0);
                    foreach (var (corpus, associations) in new[] { (one, 1), (four, 4) })
                    {
                        var (edgeCpu, apiCpu) = (CpuTime(edge), Total(api.CpuTime()));
                        var confirmedBefore = ConfirmedByTheCloud(doneLog);
                        var clock = Stopwatch.StartNew();
                        await StorescuAsync("EDGE", port, corpus, associations);
                        var scp = clock.Elapsed.TotalSeconds;
                        await WaitInCloudAsync(client, token, corpus, doneLog, confirmedBefore);
                        var total = clock.Elapsed.TotalSeconds;
                        endToEnd[associations] = corpus.Count / total;
                        Console.WriteLine(Invariant($"| edge (spool fsync, then HTTPS tus to the api), the cloud on the same cores | {associations} | {corpus.Count / scp:F0} | {corpus.Count / total:F0} instances/s | edge {PerInstance(CpuTime(edge) - edgeCpu, corpus.Count)} + api {PerInstance(Total(api.CpuTime()) - apiCpu, corpus.Count)} |"));
                    }
                }
                finally
                {
                    edge.Kill();
                    await edge.WaitForExitAsync();
                }
            }

            var orthancDicom = FreePort();
            using var orthanc = await StartOrthancAsync(Path.Combine(work, "orthanc"), orthancDicom);
            try
            {
                await StorescuAsync("ORTHANC", orthancDicom, warmUp, 1);
                foreach (var (corpus, associations) in new[] { (orthancOne, 1), (orthancFour, 4) })
                {
                    var cpu = CpuTime(orthanc);
                    var clock = Stopwatch.StartNew();
                    await StorescuAsync("ORTHANC", orthancDicom, corpus, associations);
                    var rate = corpus.Count / clock.Elapsed.TotalSeconds;
                    atScp[("orthanc", associations)] = rate;
                    Console.WriteLine(Invariant($"| Orthanc 1.10 (Debian, SQLite index, default storage, TCP_NODELAY=1) | {associations} | {rate:F0} | — | Orthanc {PerInstance(CpuTime(orthanc) - cpu, corpus.Count)} |"));
                }
            }
            finally
            {
                orthanc.Kill();
                await orthanc.WaitForExitAsync();
            }

            Console.WriteLine();
            foreach (var associations in new[] { 1, 4 })
            {
                var reference = atScp[("orthanc", associations)];
                Console.WriteLine(Invariant($"{associations} association(s): edge alone ÷ Orthanc at the SCP {atScp[("edge", associations)] / reference:F2}× (target ≥ 2); end to end ÷ Orthanc's SCP {endToEnd[associations] / reference:F2}× (target ≥ 1)"));
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private static Process StartEdge(string edgeDll, Uri cloud, string token, string? certificate, int port, string spool)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { edgeDll, "edge", "start", "--cloud", cloud.ToString(), "--ae", "EDGE",
            "--port", port.ToString(CultureInfo.InvariantCulture), "--spool", spool, "--allow", "*" })
            start.ArgumentList.Add(argument);
        if (certificate is not null)
        {
            start.ArgumentList.Add("--cacert");
            start.ArgumentList.Add(certificate);
        }
        start.Environment["IMAGING_TOKEN"] = token;
        start.Environment.Remove("DOTNET_ReadyToRun"); // as `./imaging edge start` runs it (the bench's own setting is for the api)
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<Process> StartOrthancAsync(string directory, int dicomPort)
    {
        Directory.CreateDirectory(directory);
        var config = new JsonObject
        {
            ["Name"] = "OrleansImaging DIMSE benchmark",
            ["StorageDirectory"] = Path.Combine(directory, "storage"),
            ["IndexDirectory"] = Path.Combine(directory, "index"),
            ["HttpPort"] = FreePort(),
            ["DicomPort"] = dicomPort,
            ["DicomAet"] = "ORTHANC",
            ["RemoteAccessAllowed"] = false,
            ["AuthenticationEnabled"] = false,
            ["SaveJobs"] = false,
            ["Plugins"] = new JsonArray(),
        };
        var path = Path.Combine(directory, "orthanc.json");
        await File.WriteAllTextAsync(path, config.ToJsonString());
        var executable = File.Exists("/usr/sbin/Orthanc") ? "/usr/sbin/Orthanc" : "Orthanc";
        var start = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(path);
        start.Environment["TCP_NODELAY"] = "1"; // Orthanc's DICOM server is dcmtk's: see StorescuAsync
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await WaitListeningAsync(dicomPort, TimeSpan.FromSeconds(60));
        return process;
    }

    /// <summary>Sends <paramref name="corpus"/> with <paramref name="associations"/> storescu processes, each its share over one association.</summary>
    private static async Task StorescuAsync(string calledAe, int port, IReadOnlyList<CorpusFile> corpus, int associations)
    {
        var shares = Enumerable.Range(0, associations).Select(a => corpus.Where((_, i) => i % associations == a).ToList()).ToList();
        await Task.WhenAll(shares.Select(async share =>
        {
            var start = new ProcessStartInfo("storescu") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            // Debian's dcmtk 3.6.7 leaves Nagle's algorithm on unless TCP_NODELAY=1 is in the environment: each PDU's
            // 12-byte header then waits for the peer's delayed ACK (40 ms on Linux), which held Orthanc (dcmtk inside)
            // at 18 instances/s and storescp at 21/s over one association. Both ends get it, as a tuned site would.
            start.Environment["TCP_NODELAY"] = "1";
            foreach (var argument in new[] { "-aet", "BENCH", "-aec", calledAe, "127.0.0.1", port.ToString(CultureInfo.InvariantCulture) })
                start.ArgumentList.Add(argument);
            foreach (var file in share)
                start.ArgumentList.Add(file.Path);
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || (await errors).Contains("E:", StringComparison.Ordinal))
                throw new InvalidOperationException($"storescu to {calledAe} failed: {await errors}{await output}");
        }));
    }

    /// <summary>
    /// Waits until QIDO-RS on the cloud counts every instance of <paramref name="corpus"/>. It asks only once the edge's
    /// done.log (appended after the cloud answered) has grown by the corpus's size since <paramref name="confirmedBefore"/>:
    /// polling QIDO over HTTPS all along took CPU from the two cores the pipeline is measured on.
    /// </summary>
    private static async Task WaitInCloudAsync(HttpClient client, string token, IReadOnlyList<CorpusFile> corpus, string doneLog, int confirmedBefore)
    {
        var studies = corpus.GroupBy(f => f.StudyInstanceUid).ToDictionary(g => g.Key, g => g.Count());
        var deadline = Stopwatch.StartNew();
        while (ConfirmedByTheCloud(doneLog) < confirmedBefore + corpus.Count && deadline.Elapsed < TimeSpan.FromMinutes(10))
            await Task.Delay(20);
        while (true)
        {
            var done = true;
            foreach (var (study, count) in studies)
            {
                if (await IngestClient.CountStudyInstancesAsync(client, token, study, CancellationToken.None) != count)
                {
                    done = false;
                    break;
                }
            }
            if (done)
                return;
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
                throw new TimeoutException("the edge did not deliver every instance to the cloud within 10 minutes.");
            await Task.Delay(100);
        }
    }

    // Lines of the edge's done.log: one per instance the cloud confirmed.
    private static int ConfirmedByTheCloud(string doneLog)
    {
        try
        {
            using var log = new FileStream(doneLog, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var lines = 0;
            Span<byte> buffer = stackalloc byte[16 * 1024];
            int read;
            while ((read = log.Read(buffer)) > 0)
                lines += buffer[..read].Count((byte)'\n');
            return lines;
        }
        catch (FileNotFoundException)
        {
            return 0;
        }
    }

    private static async Task WaitListeningAsync(int port, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var socket = new TcpClient();
                await socket.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException) when (clock.Elapsed < timeout)
            {
                await Task.Delay(200);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    private static TimeSpan Total((TimeSpan User, TimeSpan Kernel) cpu) => cpu.User + cpu.Kernel;

    private static string PerInstance(TimeSpan cpu, int instances) => Invariant($"{cpu.TotalMilliseconds / instances:F1}");

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
