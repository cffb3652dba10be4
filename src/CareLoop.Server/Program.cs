using CareLoop.Server.Platform.Cli;

// The server binary is also the command-line tool: `careloop serve` (default), `migrate`, `import`, `demo`, `users`, `apikeys`.
return await CliApp.RunAsync(args);
