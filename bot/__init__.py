"""Front ends of busan-bot: the CLI and console chat, and the Telegram bot."""
