using System.Globalization;

namespace OrleansImaging.LoadTests.Ingest;

/// <summary>The command line of <c>./imaging bench ingest</c>.</summary>
internal sealed class IngestOptions
{
    public const string Usage = """
        usage: ./imaging bench ingest [--instances 1000] [--clients 4] [--batch 10] [--studies 10] [--one-study]
                                      [--corpus <folder>] [--url <base> --token <token>] [--http] [--quick]
                                      [--server-env NAME=VALUE]... [--api <OrleansImaging.Api.dll>] [--keep-data] [--warm-up 100]
          --instances   how many instances to store (default 1000; 40 with --quick)
          --clients     concurrent HTTP clients, each one request at a time (default 4; 2 with --quick)
          --batch       instances per STOW-RS request (default 10)
          --studies     studies the synthetic corpus spreads the instances over (default 10; 2 with --quick)
          --one-study   all instances in one study; prints the rate of the first and the last 1,000
          --corpus      store these *.dcm files instead of the synthetic CT corpus
          --url/--token an already-running instance and a token with dicomweb:read and dicomweb:write
          --http        start the instance on plain HTTP instead of HTTPS
          --server-env  extra environment for the started instance (e.g. DOTNET_gcServer=1)
          --api         the OrleansImaging.Api.dll to start (default: this checkout's build)
          --keep-data   leave the started instance's data directory (deleting it slows the next run's file creation)
          --warm-up     instances stored (in a study of their own) before the timed run (default 100, 1000 with --one-study, 10 with --quick)
        """;

    /// <value>1000 (40 with <c>--quick</c>).</value>
    public int Instances { get; private set; } = 1000;

    /// <value>4 (2 with <c>--quick</c>).</value>
    public int Clients { get; private set; } = 4;

    /// <value>10.</value>
    public int Batch { get; private set; } = 10;

    /// <value>10 (2 with <c>--quick</c>; 1 with <c>--one-study</c>).</value>
    public int Studies { get; private set; } = 10;

    public bool OneStudy { get; private set; }

    public bool Quick { get; private set; }

    public bool Http { get; private set; }

    public string? Corpus { get; private set; }

    /// <summary>
    /// Leave the started instance's data directory in place (its path is printed). This disk's ext4 has no journal,
    /// and without one every file created within minutes of a large delete scans past the deleted inodes
    /// (find_inode_bit → recently_deleted: a fifth of the server's CPU in perf after a run deleted its 0.5 GB).
    /// Back-to-back runs should keep their data and delete it all afterwards.
    /// </summary>
    public bool KeepData { get; private set; }

    /// <summary>Another build of the api to start (before/after comparisons on a shared machine).</summary>
    public string? ApiDll { get; private set; }

    public Uri? Url { get; private set; }

    public string? Token { get; private set; }

    public Dictionary<string, string> ServerEnvironment { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Instances sent before the timed run (their own study), so the figures are not the JIT's or the thread pool's ramp.
    /// A one-study run compares its first and last 1,000 instances, so it warms up with 1,000: with 100, the first
    /// window still carried the process's warm-up (344/s vs 431/s measured, same build, same load).
    /// </summary>
    public int WarmUpInstances { get => _warmUp ?? (Quick ? 10 : OneStudy ? 1000 : 100); private set => _warmUp = value; }

    private int? _warmUp;

    /// <summary>Parses the arguments after <c>ingest</c>; null (and a message on stderr) when they are wrong.</summary>
    public static IngestOptions? Parse(string[] args)
    {
        var options = new IngestOptions { Quick = args.Contains("--quick") };
        if (options.Quick)
        {
            options.Instances = 40;
            options.Clients = 2;
            options.Studies = 2;
        }
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive() => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a positive number.");
            try
            {
                switch (args[i])
                {
                    case "--quick": break;
                    case "--help" or "-h": throw new ArgumentException("STOW-RS throughput end to end.");
                    case "--instances": options.Instances = Positive(); break;
                    case "--clients": options.Clients = Positive(); break;
                    case "--batch": options.Batch = Positive(); break;
                    case "--studies": options.Studies = Positive(); break;
                    case "--one-study": options.OneStudy = true; break;
                    case "--http": options.Http = true; break;
                    case "--corpus": options.Corpus = Value(); break;
                    case "--api": options.ApiDll = Value(); break;
                    case "--keep-data": options.KeepData = true; break;
                    case "--warm-up": options.WarmUpInstances = Positive(); break;
                    case "--url": options.Url = new Uri(Value()); break;
                    case "--token": options.Token = Value(); break;
                    case "--server-env":
                        var pair = Value().Split('=', 2);
                        if (pair.Length != 2)
                            throw new ArgumentException("--server-env takes NAME=VALUE.");
                        options.ServerEnvironment[pair[0]] = pair[1];
                        break;
                    default: throw new ArgumentException($"unknown option {args[i]}.");
                }
            }
            catch (Exception e) when (e is ArgumentException or UriFormatException)
            {
                Console.Error.WriteLine(e.Message);
                Console.Error.WriteLine(Usage);
                return null;
            }
        }
        if (options.OneStudy)
            options.Studies = 1;
        if ((options.Url is null) != (options.Token is null))
        {
            Console.Error.WriteLine("--url and --token go together.");
            return null;
        }
        return options;
    }
}
