/* Never compiled: the configure step refuses the target first. */
