using OrleansImaging.LoadTests.Blobs;
using OrleansImaging.LoadTests.Codecs;
using OrleansImaging.LoadTests.Dicom;
using OrleansImaging.LoadTests.Dimse;
using OrleansImaging.LoadTests.Index;
using OrleansImaging.LoadTests.Ingest;

// ./imaging bench <name>: each benchmark prints its own table to stdout.
return args.FirstOrDefault() switch
{
    "dicom" => await DicomBenchmark.RunAsync(args.Skip(1).ToArray()),
    "blobs" => await BlobBenchmark.RunAsync(args.Skip(1).ToArray()),
    "index" => await IndexBenchmark.RunAsync(args.Skip(1).ToArray()),
    "ingest" => await IngestBenchmark.RunAsync(args.Skip(1).ToArray()),
    "codecs" => await CodecBenchmark.RunAsync(args.Skip(1).ToArray()),
    "dimse" => await DimseBenchmark.RunAsync(args.Skip(1).ToArray()),
    "codecs-row" => await CodecBenchmark.RunRowAsync(args.Skip(1).ToArray()),
    // The synthetic CT corpus the codec and transcoding tests read (./imaging test makes it before the tests run).
    "synthetic-corpus" => SyntheticCorpus(args.Skip(1).ToArray()),
    _ => Usage(),
};

static int SyntheticCorpus(string[] args)
{
    if (args.Length != 1)
        return Usage();
    var files = OrleansImaging.LoadTests.Ingest.SyntheticCtCorpus.LoadOrCreate(args[0], 100, 1, Console.Error);
    Console.WriteLine($"{files.Count} synthetic CT files under {args[0]}");
    return 0;
}

static int Usage()
{
    Console.Error.WriteLine("usage: OrleansImaging.LoadTests dicom|blobs|index|ingest|codecs|dimse [--quick]");
    return 2;
}
