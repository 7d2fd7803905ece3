"""Reading back the tmsh subset etherip emits: words, commands, and a device model to replay them on."""
