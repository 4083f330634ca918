using OrleansImaging.Cli;

// `imaging dicom <command> ...`: each command is a small class; errors become one line on stderr.
return CommandLine.Run(args, Console.OpenStandardOutput(), Console.Error);
