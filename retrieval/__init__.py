"""busan-bot's library: corpus, embeddings, index and answering. No front-end code here."""
