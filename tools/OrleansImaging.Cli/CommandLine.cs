using OrleansImaging.Cli.Commands;
using OrleansImaging.Dicom;

namespace OrleansImaging.Cli;

/// <summary>Dispatches the command line to a command and turns failures into a message and exit code 1.</summary>
internal static class CommandLine
{
    private const string Usage = """
        usage: OrleansImaging.Cli dicom <command> [options]
          dicom dump <file> [--full]
              print the file one element per line, like dcmdump (--full: do not shorten long values)
          dicom json <file> [--bulk-uri-template <uri>] [--bulk-threshold <bytes>] [--omit-encapsulated] [--compact]
              print the data set as DICOM JSON (PS3.18 Annex F), like dcm2json; in the template
              {path} is the attribute's path (e.g. 7FE00010) and {tag} its tag
          dicom xml <file>
              print the data set in the Native DICOM Model (PS3.19), like dcm2xml --native-format
              (encapsulated pixel data is left out)
        """;

    public static int Run(string[] args, Stream stdout, TextWriter stderr)
    {
        try
        {
            if (args is ["--help" or "-h" or "help"] or ["dicom", "--help" or "-h" or "help"])
            {
                using var help = new StreamWriter(stdout, leaveOpen: true);
                help.WriteLine(Usage);
                return 0;
            }
            if (args.Length < 2 || args[0] != "dicom")
                throw new UsageException(args.Length == 0 ? "no command given" : $"unknown command '{string.Join(' ', args.Take(2))}'");
            var rest = args[2..];
            switch (args[1])
            {
                case "dump":
                    DumpCommand.Run(DumpCommand.Parse(rest), stdout);
                    break;
                case "json":
                    JsonCommand.Run(JsonCommand.Parse(rest), stdout);
                    break;
                case "xml":
                    XmlCommand.Run(XmlCommand.Parse(rest), stdout);
                    break;
                default:
                    throw new UsageException($"unknown command 'dicom {args[1]}'");
            }
            return 0;
        }
        catch (UsageException ex)
        {
            stderr.WriteLine($"error: {ex.Message} (--help lists the commands)");
            return 1;
        }
        catch (DicomException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
        catch (IOException ex)
        {
            stderr.WriteLine($"error: {ex.Message}");
            return 1;
        }
    }
}

/// <summary>The command line itself is wrong.</summary>
internal sealed class UsageException(string message) : Exception(message);
